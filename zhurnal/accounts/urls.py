from django.urls import path

from .views import auth, security

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
]
