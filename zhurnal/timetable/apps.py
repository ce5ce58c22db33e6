from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "zhurnal.timetable"
    verbose_name = "Расписание"

    def ready(self) -> None:
        from zhurnal.school import stamps

        from . import models

        stamps.watch(models.BellSchedule, models.Bell, models.SpecialBellDay, models.Room)
