from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Журнал — администрирование"

urlpatterns = [
    path("", include("zhurnal.core.urls")),
    path("accounts/", include("zhurnal.accounts.urls")),
    path("", include("zhurnal.school.urls")),
    path("", include("zhurnal.timetable.urls")),
    path("", include("zhurnal.planning.urls")),
    path("", include("zhurnal.journal.urls")),
    path("", include("zhurnal.diary.urls")),
    path("", include("zhurnal.ops.urls")),
    path("", include("zhurnal.reports.urls")),
    path("", include("zhurnal.messaging.urls")),
    path("", include("zhurnal.notifications.urls")),
    # One login page for everybody, so the admin site cannot skip the lockout and the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler400 = "zhurnal.core.errors.bad_request"
handler403 = "zhurnal.core.errors.permission_denied"
handler404 = "zhurnal.core.errors.page_not_found"
handler500 = "zhurnal.core.errors.server_error"
