from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhurnal.ops"
    verbose_name = "Эксплуатация"

    def ready(self) -> None:
        from zhurnal.core.navigation import ADMINISTRATION, MenuEntry, register_menu, register_menu_key

        from . import tasks  # noqa: F401 - the hourly scheduled backup on the task queue
        from .permissions import can_view_backups

        # Shown by the school, not only the role (the school that keeps the copies): part of the menu's key.
        register_menu_key(can_view_backups)
        register_menu(MenuEntry(195, "Резервные копии", "ops:backups", can_view_backups, group=ADMINISTRATION))
