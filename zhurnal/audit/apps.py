from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhurnal.audit"
    verbose_name = "Журнал изменений"
