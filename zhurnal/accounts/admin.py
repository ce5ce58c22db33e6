from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ActivationCode, LoginEvent, SchoolSecurity, User

admin.site.register(User, UserAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs and codes are written by the application only; the site operator may look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "kind", "succeeded", "reason", "address")
    list_filter = ("succeeded", "kind")
    search_fields = ("username", "address")
    date_hierarchy = "at"


@admin.register(ActivationCode)
class ActivationCodeAdmin(ReadOnlyAdmin):
    list_display = ("user", "school", "person_kind", "issued_at", "issued_by", "expires_at", "used_at", "revoked_at")
    list_filter = ("school", "person_kind")
    search_fields = ("user__username", "user__last_name")
    exclude = ("code_hash",)


@admin.register(SchoolSecurity)
class SchoolSecurityAdmin(ReadOnlyAdmin):
    list_display = ("school", "require_staff_2fa", "updated_by", "updated_at")
