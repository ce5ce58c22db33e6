from django.urls import path

from .views import access, auth, security

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/code/", auth.login_verify, name="login_verify"),
    path("activate/", auth.activate, name="activate"),
    path("logout/", auth.logout, name="logout"),
    path("switch-school/", auth.switch_school, name="switch_school"),
    path("security/", security.security, name="security"),
    path("security/password/", security.password_change, name="password_change"),
    path("security/sessions/end/", security.end_sessions, name="end_sessions"),
    path("security/two-factor/", security.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/recovery/", security.recovery_codes, name="recovery_codes"),
    path("security/two-factor/disable/", security.two_factor_disable, name="two_factor_disable"),
    path("access/", access.access_home, name="access"),
    path("access/classes/<int:pk>/", access.class_access, name="class_access"),
    path("access/classes/<int:pk>/issue/", access.class_issue, name="class_issue"),
    path("access/staff/", access.staff_access, name="staff_access"),
    path("access/staff/issue/", access.staff_issue, name="staff_issue"),
    path("access/links/<int:pk>/", access.guardian_link_update, name="guardian_link"),
    path("access/people/<int:pk>/", access.person, name="person"),
    path("access/people/<int:pk>/reset-two-factor/", access.person_reset_two_factor, name="person_reset_2fa"),
    path("access/settings/", access.school_security, name="school_security"),
]
