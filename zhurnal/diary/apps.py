from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "zhurnal.diary"
    verbose_name = "Дневник"
