from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhurnal.core"
    verbose_name = "Основа"
