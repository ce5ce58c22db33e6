from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Журнал — администрирование"

urlpatterns = [
    path("", include("zhurnal.core.urls")),
    path("accounts/", include("zhurnal.accounts.urls")),
    path("", include("zhurnal.school.urls")),
    path("", include("zhurnal.planning.urls")),
    path("", include("zhurnal.journal.urls")),
    path("admin/", admin.site.urls),
]
