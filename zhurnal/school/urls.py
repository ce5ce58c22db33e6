from django.urls import path

from .views import imports, pages, setup

app_name = "school"
urlpatterns = [
    path("classes/", pages.class_list, name="class_list"),
    path("classes/<int:pk>/", pages.class_detail, name="class_detail"),
    path("groups/<int:pk>/", pages.group_detail, name="group_detail"),
    path("students/", pages.student_list, name="student_list"),
    path("students/<int:pk>/", pages.student_detail, name="student_detail"),
    path("staff/", pages.staff_list, name="staff_list"),
    path("movement/", pages.movement_log, name="movement_log"),
    path("my/groups/", pages.my_groups, name="my_groups"),
    path("my/children/", pages.children, name="children"),
    path("my/", pages.me, name="me"),
    *setup.urlpatterns,
    *imports.urlpatterns,
]
