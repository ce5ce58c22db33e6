from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("plans/", views.index, name="index"),
    path("plans/coverage/", views.coverage, name="coverage"),
    path("plans/template.xlsx", views.template_download, {"fmt": "xlsx"}, name="template_xlsx"),
    path("plans/template.csv", views.template_download, {"fmt": "csv"}, name="template_csv"),
    path("plans/group/<int:pk>/", views.assignment_page, name="assignment"),
    path("plans/group/<int:pk>/new/", views.create_plan, name="create"),
    path("plans/group/<int:pk>/attach/", views.attach_plan, name="attach"),
    path("plans/group/<int:pk>/import/", views.import_for_assignment, name="import_for_assignment"),
    path("plans/group/<int:pk>/fill/", views.fill_topics, name="fill"),
    path("plans/lessons/<int:pk>/shift/", views.shift_topics, name="shift"),
    path("plans/lessons/<int:pk>/pull/", views.pull_topics, name="pull"),
    path("plans/lessons/<int:pk>/extend/", views.extend_topic, name="extend"),
    path("plans/lessons/<int:pk>/topic/", views.own_topic, name="own_topic"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan_copy"),
    path("plans/<int:pk>/import/", views.import_into_plan, name="import"),
    path("plans/<int:pk>/export.xlsx", views.plan_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("plans/<int:pk>/export.csv", views.plan_export, {"fmt": "csv"}, name="export_csv"),
    path("plans/<int:pk>/detach/<int:assignment_pk>/", views.plan_detach, name="detach"),
    path("plans/<int:pk>/topics/new/", views.topic_create, name="topic_create"),
    path("plans/<int:pk>/sections/new/", views.section_create, name="section_create"),
    path("plans/topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("plans/topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("plans/topics/<int:pk>/move/", views.topic_move, name="topic_move"),
    path("plans/sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("plans/sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("plans/sections/<int:pk>/move/", views.section_move, name="section_move"),
]
