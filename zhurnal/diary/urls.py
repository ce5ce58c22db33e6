from django.urls import path

from . import views

app_name = "diary"
urlpatterns = [
    path("diary/", views.home, name="home"),
    path("diary/<id:student_id>/week/", views.week, name="week"),
    path("diary/<id:student_id>/week/pdf/", views.week_pdf, name="week_pdf"),
    path("diary/<id:student_id>/subject/<id:subject_id>/", views.subject, name="subject"),
    path("diary/<id:student_id>/marks/", views.feed, name="feed"),
    path("diary/<id:student_id>/finals/", views.finals, name="finals"),
    path("diary/<id:student_id>/finals/acknowledge/", views.acknowledge, name="acknowledge"),
    path("diary/<id:student_id>/calendar/", views.calendar, name="calendar"),
    path("diary/<id:student_id>/files/<id:pk>/", views.attachment, name="attachment"),
    path("diary/calendar/<str:token>.ics", views.ical_feed, name="ical"),
    path("diary/classes/<id:class_id>/", views.class_overview, name="class_overview"),
    path("diary/classes/<id:class_id>/acknowledgements/", views.class_acknowledgements,
         name="class_acknowledgements"),
    path("diary/classes/<id:class_id>/paper.pdf", views.class_paper_pdf, name="class_paper_pdf"),
    path("diary/activity/", views.school_activity, name="school_activity"),
]
