from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhurnal.ops"
    verbose_name = "Эксплуатация"

    def ready(self) -> None:
        from zhurnal.core.navigation import register_nav_entry

        from . import tasks  # noqa: F401 - the hourly scheduled backup on the task queue
        from .permissions import can_view_backups

        register_nav_entry("Резервные копии", "ops:backups", can_view_backups)
