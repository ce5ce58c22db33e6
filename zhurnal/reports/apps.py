from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhurnal.reports"
    verbose_name = "Отчёты"

    def ready(self) -> None:
        from zhurnal.core.navigation import register_outside_school

        from .navigation import municipal_menu

        register_outside_school(municipal_menu)  # the education department's specialist's menu

        from . import jobs  # noqa: F401 - registers the report files' task with the queue
