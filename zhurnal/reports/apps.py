from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhurnal.reports"
    verbose_name = "Отчёты"

    def ready(self) -> None:
        from zhurnal.school import stamps

        from . import models

        stamps.watch(models.ReportSettings)  # cached per school with the grading rules
