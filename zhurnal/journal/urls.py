from django.urls import path

from .views import classes, control, grid, lesson

app_name = "journal"
urlpatterns = [
    path("journal/", grid.index, name="index"),
    path("journal/today/", grid.today, name="today"),
    path("journal/assignments/<int:pk>/", grid.grid, name="grid"),
    path("journal/assignments/<int:pk>/finals/", grid.finals, name="finals"),
    path("journal/assignments/<int:pk>/reopen/", grid.reopen, name="reopen"),
    path("journal/lessons/<int:pk>/", lesson.lesson, name="lesson"),
    path("journal/lessons/<int:pk>/record/", lesson.record, name="lesson_record"),
    path("journal/lessons/<int:pk>/record/panel/", lesson.record_panel, name="record_panel"),
    path("journal/lessons/<int:pk>/cells/", lesson.cells, name="lesson_cells"),
    path("journal/lessons/<int:pk>/all-present/", lesson.all_present, name="all_present"),
    path("journal/lessons/<int:pk>/cells/<int:student_id>/", lesson.cell, name="cell"),
    path("journal/lessons/<int:pk>/history/", lesson.history, name="lesson_history"),
    path("journal/lessons/<int:pk>/files/", lesson.attachment_add, name="attachment_add"),
    path("journal/lessons/<int:pk>/individual/", lesson.individual_homework, name="individual_homework"),
    path("journal/files/<int:pk>/", lesson.attachment, name="attachment"),
    path("journal/files/<int:pk>/delete/", lesson.attachment_delete, name="attachment_delete"),
    path("journal/marks/<int:pk>/", lesson.mark, name="mark"),
    path("journal/summary/", classes.my_summary, name="my_summary"),
    path("journal/classes/<int:pk>/summary/", classes.summary, name="class_summary"),
    path("journal/classes/<int:pk>/attendance/", classes.attendance_week, name="attendance_week"),
    path("journal/classes/<int:pk>/attendance/reason/", classes.absence_reason, name="absence_reason"),
    path("journal/classes/<int:pk>/attendance/day/", classes.day_reason, name="day_reason"),
    path("journal/classes/<int:pk>/attendance/checked/", classes.confirm_week, name="confirm_week"),
    path("journal/control/", control.control, name="control"),
    path("journal/rules/", control.rules, name="rules"),
    path("journal/rules/work-types/", control.work_type_save, name="work_type_save"),
]
