"""A URL configuration with a view that fails, for the 500 page's test."""

from django.urls import include, path

from zhurnal.core import views

urlpatterns = [
    path("broken/", lambda request: views.health(request)),
    path("", include("config.urls")),
]

handler500 = "zhurnal.core.errors.server_error"
