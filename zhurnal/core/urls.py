from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("no-roles/", views.no_roles, name="no_roles"),
    path("health/", views.health, name="health"),
    path("signed-in-again/", views.signed_in_again, name="signed_in_again"),
]
