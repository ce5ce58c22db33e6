from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhurnal.ops"
    verbose_name = "Эксплуатация"
