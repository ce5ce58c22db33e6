from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhurnal.audit"
    verbose_name = "Журнал изменений"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the access log's retention job with the queue
