from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "zhurnal.planning"
    verbose_name = "КТП"

    def ready(self) -> None:
        from zhurnal.core.navigation import MenuEntry, register_menu

        from . import permissions

        register_menu(
            MenuEntry(70, "КТП", "planning:index", permissions.works_with_plans),
            MenuEntry(200, "Выполнение КТП", "planning:coverage", permissions.can_read_coverage),
        )
