from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("mail/", views.inbox, name="inbox"),
    path("mail/sent/", views.sent, name="sent"),
    path("mail/new/", views.compose, name="compose"),
    path("mail/<id:pk>/", views.thread, name="thread"),
    path("mail/<id:pk>/reply/", views.reply, name="reply"),
    path("mail/files/<id:pk>/", views.attachment, name="attachment"),
    path("mail/settings/", views.settings_page, name="settings"),
    path("news/", views.announcements, name="announcements"),
    path("news/new/", views.announcement_new, name="announcement_new"),
    path("news/<id:pk>/", views.announcement, name="announcement"),
    path("news/<id:pk>/acknowledge/", views.announcement_acknowledge, name="announcement_acknowledge"),
    path("news/<id:pk>/change/", views.announcement_change, name="announcement_change"),
    path("news/<id:pk>/report/", views.announcement_report, name="announcement_report"),
    path("help/", views.help_page, name="help"),
    path("help/hours/", views.help_hours, name="help_hours"),
    path("help/hours/<id:pk>/remove/", views.help_hours_remove, name="help_hours_remove"),
    path("help/requests/", views.help_requests, name="help_requests"),
    path("help/requests/<id:pk>/", views.help_request, name="help_request"),
    path("help/requests/<id:pk>/status/", views.help_request_status, name="help_request_status"),
    path("help/requests/<id:pk>/answer/", views.help_request_answer, name="help_request_answer"),
]
