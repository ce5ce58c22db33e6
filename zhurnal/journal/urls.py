from django.urls import path

from .views import classes, control, grid, lesson

app_name = "journal"
urlpatterns = [
    path("journal/", grid.index, name="index"),
    path("journal/today/", grid.today, name="today"),
    path("journal/assignments/<id:pk>/", grid.grid, name="grid"),
    path("journal/assignments/<id:pk>/finals/", grid.finals, name="finals"),
    path("journal/assignments/<id:pk>/reopen/", grid.reopen, name="reopen"),
    path("journal/lessons/<id:pk>/", lesson.lesson, name="lesson"),
    path("journal/lessons/<id:pk>/record/", lesson.record, name="lesson_record"),
    path("journal/lessons/<id:pk>/record/panel/", lesson.record_panel, name="record_panel"),
    path("journal/lessons/<id:pk>/cells/", lesson.cells, name="lesson_cells"),
    path("journal/lessons/<id:pk>/all-present/", lesson.all_present, name="all_present"),
    path("journal/lessons/<id:pk>/cells/<id:student_id>/", lesson.cell, name="cell"),
    path("journal/lessons/<id:pk>/history/", lesson.history, name="lesson_history"),
    path("journal/lessons/<id:pk>/files/", lesson.attachment_add, name="attachment_add"),
    path("journal/lessons/<id:pk>/individual/", lesson.individual_homework, name="individual_homework"),
    path("journal/files/<id:pk>/", lesson.attachment, name="attachment"),
    path("journal/files/<id:pk>/delete/", lesson.attachment_delete, name="attachment_delete"),
    path("journal/marks/<id:pk>/", lesson.mark, name="mark"),
    path("journal/summary/", classes.my_summary, name="my_summary"),
    path("journal/classes/<id:pk>/summary/", classes.summary, name="class_summary"),
    path("journal/classes/<id:pk>/attendance/", classes.attendance_week, name="attendance_week"),
    path("journal/classes/<id:pk>/attendance/reason/", classes.absence_reason, name="absence_reason"),
    path("journal/classes/<id:pk>/attendance/day/", classes.day_reason, name="day_reason"),
    path("journal/classes/<id:pk>/attendance/checked/", classes.confirm_week, name="confirm_week"),
    path("journal/control/", control.control, name="control"),
    path("journal/rules/", control.rules, name="rules"),
    path("journal/rules/work-types/", control.work_type_save, name="work_type_save"),
]
