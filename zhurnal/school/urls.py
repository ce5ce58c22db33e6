from django.urls import path

from .access import views as access
from .views import imports, pages, setup

app_name = "school"
urlpatterns = [
    path("classes/", pages.class_list, name="class_list"),
    path("classes/<id:pk>/", pages.class_detail, name="class_detail"),
    path("groups/<id:pk>/", pages.group_detail, name="group_detail"),
    path("students/", pages.student_list, name="student_list"),
    path("students/<id:pk>/", pages.student_detail, name="student_detail"),
    path("staff/", pages.staff_list, name="staff_list"),
    path("movement/", pages.movement_log, name="movement_log"),
    path("my/groups/", pages.my_groups, name="my_groups"),
    path("my/children/", pages.children, name="children"),
    path("my/", pages.me, name="me"),
    # «Доступ» keeps its addresses under /accounts/.
    path("accounts/access/", access.access_home, name="access"),
    path("accounts/access/classes/<id:pk>/", access.class_access, name="class_access"),
    path("accounts/access/classes/<id:pk>/issue/", access.class_issue, name="class_issue"),
    path("accounts/access/staff/", access.staff_access, name="staff_access"),
    path("accounts/access/staff/issue/", access.staff_issue, name="staff_issue"),
    path("accounts/access/links/<id:pk>/", access.guardian_link_update, name="guardian_link"),
    path("accounts/access/people/<id:pk>/", access.person, name="person"),
    path("accounts/access/people/<id:pk>/reset-two-factor/", access.person_reset_two_factor, name="person_reset_2fa"),
    path("accounts/access/settings/", access.school_security, name="school_security"),
    path("accounts/access/log/", access.access_log, name="access_log"),
    *setup.urlpatterns,
    *imports.urlpatterns,
]
