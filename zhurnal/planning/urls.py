from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("plans/", views.index, name="index"),
    path("plans/coverage/", views.coverage, name="coverage"),
    path("plans/template.xlsx", views.template_download, {"fmt": "xlsx"}, name="template_xlsx"),
    path("plans/template.csv", views.template_download, {"fmt": "csv"}, name="template_csv"),
    path("plans/group/<id:pk>/", views.assignment_page, name="assignment"),
    path("plans/group/<id:pk>/new/", views.create_plan, name="create"),
    path("plans/group/<id:pk>/attach/", views.attach_plan, name="attach"),
    path("plans/group/<id:pk>/import/", views.import_for_assignment, name="import_for_assignment"),
    path("plans/group/<id:pk>/fill/", views.fill_topics, name="fill"),
    path("plans/lessons/<id:pk>/shift/", views.lesson_action, {"action": "shift"}, name="shift"),
    path("plans/lessons/<id:pk>/pull/", views.lesson_action, {"action": "pull"}, name="pull"),
    path("plans/lessons/<id:pk>/extend/", views.lesson_action, {"action": "extend"}, name="extend"),
    path("plans/lessons/<id:pk>/topic/", views.own_topic, name="own_topic"),
    path("plans/<id:pk>/", views.plan_detail, name="plan"),
    path("plans/<id:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<id:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<id:pk>/copy/", views.plan_copy, name="plan_copy"),
    path("plans/<id:pk>/import/", views.import_into_plan, name="import"),
    path("plans/<id:pk>/export.xlsx", views.plan_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("plans/<id:pk>/export.csv", views.plan_export, {"fmt": "csv"}, name="export_csv"),
    path("plans/<id:pk>/detach/<id:assignment_pk>/", views.plan_detach, name="detach"),
    path("plans/<id:pk>/topics/new/", views.topic_create, name="topic_create"),
    path("plans/<id:pk>/sections/new/", views.section_create, name="section_create"),
    path("plans/topics/<id:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("plans/topics/<id:pk>/delete/", views.row_delete, {"kind": "topic"}, name="topic_delete"),
    path("plans/topics/<id:pk>/move/", views.row_move, {"kind": "topic"}, name="topic_move"),
    path("plans/sections/<id:pk>/edit/", views.section_edit, name="section_edit"),
    path("plans/sections/<id:pk>/delete/", views.row_delete, {"kind": "section"}, name="section_delete"),
    path("plans/sections/<id:pk>/move/", views.row_move, {"kind": "section"}, name="section_move"),
]
