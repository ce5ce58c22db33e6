from django.urls import path

from . import views

app_name = "diary"
urlpatterns = [
    path("diary/", views.home, name="home"),
    path("diary/<int:student_id>/week/", views.week, name="week"),
    path("diary/<int:student_id>/week/pdf/", views.week_pdf, name="week_pdf"),
    path("diary/<int:student_id>/subject/<int:subject_id>/", views.subject, name="subject"),
    path("diary/<int:student_id>/marks/", views.feed, name="feed"),
    path("diary/<int:student_id>/finals/", views.finals, name="finals"),
    path("diary/<int:student_id>/finals/acknowledge/", views.acknowledge, name="acknowledge"),
    path("diary/<int:student_id>/calendar/", views.calendar, name="calendar"),
    path("diary/<int:student_id>/files/<int:pk>/", views.attachment, name="attachment"),
    path("diary/calendar/<str:token>.ics", views.ical_feed, name="ical"),
    path("diary/classes/<int:class_id>/", views.class_overview, name="class_overview"),
    path("diary/classes/<int:class_id>/acknowledgements/", views.class_acknowledgements,
         name="class_acknowledgements"),
    path("diary/classes/<int:class_id>/paper.pdf", views.class_paper_pdf, name="class_paper_pdf"),
    path("diary/activity/", views.school_activity, name="school_activity"),
]
