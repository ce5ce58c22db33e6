from django.urls import path

from . import catalog, views

app_name = "reports"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/settings/", views.report_settings, name="settings"),
    path("reports/jobs/<id:pk>/", views.job, name="job"),
    path("reports/jobs/<id:pk>/file/", views.job_file, name="job_file"),
    path("reports/<slug:key>/export/", views.export, name="export"),
    path("reports/municipal/", views.municipal, name="municipal"),
    path("reports/municipal/refresh/", views.municipal_refresh, name="municipal_refresh"),
    *[path(f"reports/{key}/", views.report_view(key), name=key) for key in catalog.ALL],
]
