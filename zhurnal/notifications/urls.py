from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.bell_fragment, name="bell"),
    path("notifications/read/", views.mark_read, name="read"),
    path("notifications/<id:pk>/open/", views.open_notification, name="open"),
    path("notifications/settings/", views.user_settings, name="settings"),
    path("notifications/school/", views.school_settings, name="school_settings"),
    path("notifications/push/key/", views.push_key, name="push_key"),
    path("notifications/push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("notifications/push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
