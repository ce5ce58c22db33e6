from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhurnal.reports"
    verbose_name = "Отчёты"

    def ready(self) -> None:
        from zhurnal.accounts.permissions import register_login_role
        from zhurnal.core.navigation import MenuEntry, register_menu, register_outside_school
        from zhurnal.school.permissions import leads_a_class

        from . import (
            jobs,  # noqa: F401 - registers the report files' task with the queue
            permissions,
        )
        from .navigation import municipal_menu

        register_menu(
            MenuEntry(60, "Сводная", "reports:class_summary", leads_a_class),
            MenuEntry(180, "Контроль", "reports:control", permissions.can_read_control),
            MenuEntry(205, "Отчёты", "reports:index", permissions.reads_any_report),
        )
        register_outside_school(municipal_menu)
        register_login_role("department_roles", None)  # a department's specialist: no school manages his login  # the education department's specialist's menu
