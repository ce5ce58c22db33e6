from django.urls import path

from .views import imports, manage, pages, substitutions

app_name = "timetable"
urlpatterns = [
    path("timetable/", pages.index, name="index"),
    path("timetable/day/", pages.school_day, name="day"),
    path("timetable/class/<id:pk>/", pages.class_timetable, name="class"),
    path("timetable/teacher/<id:pk>/", pages.teacher_timetable, name="teacher"),
    path("timetable/room/<id:pk>/", pages.room_timetable, name="room"),
    path("timetable/today/", pages.today, name="today"),
    path("timetable/lessons/new/", pages.lesson_new, name="lesson_new"),
    path("timetable/lessons/<id:pk>/", pages.lesson_detail, name="lesson_detail"),
    path("timetable/lessons/<id:pk>/move/", pages.lesson_move, name="lesson_move"),
    path("timetable/lessons/<id:pk>/remove/", pages.lesson_remove, name="lesson_remove"),
    path("timetable/class/<id:pk>/edit/", manage.class_edit, name="class_edit"),
    path("timetable/group/<id:pk>/edit/", manage.group_edit, name="group_edit"),
    path("timetable/entries/<id:pk>/", manage.entry_change, name="entry_change"),
    path("timetable/entries/<id:pk>/end/", manage.entry_end, name="entry_end"),
    path("timetable/bells/", manage.bells, name="bells"),
    path("timetable/bells/<id:pk>/", manage.bell_edit, name="bell_edit"),
    path("timetable/bells/special/", manage.special_day_add, name="special_day_add"),
    path("timetable/bells/special/<id:pk>/remove/", manage.special_day_remove, name="special_day_remove"),
    path("timetable/rooms/", manage.rooms, name="rooms"),
    path("timetable/rooms/<id:pk>/", manage.room_edit, name="room_edit"),
    path("timetable/substitutions/", substitutions.substitutions, name="substitutions"),
    path("timetable/substitutions/lesson/<id:lesson_pk>/", substitutions.substitution_record,
         name="substitution_record"),
    path("timetable/substitutions/<id:pk>/remove/", substitutions.substitution_remove, name="substitution_remove"),
    path("timetable/substitutions/log/", substitutions.substitution_log, name="substitution_log"),
    path("timetable/timesheet/", substitutions.timesheet, name="timesheet"),
    path("timetable/import/", imports.import_timetable, name="import"),
    path("timetable/import/apply/", imports.import_apply, name="import_apply"),
    path("timetable/import/template.csv", imports.csv_template, name="csv_template"),
    path("timetable/export.fet", imports.fet_export, name="fet_export"),
]
