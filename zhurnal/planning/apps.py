from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "zhurnal.planning"
    verbose_name = "КТП"
