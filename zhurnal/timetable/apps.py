from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "zhurnal.timetable"
    verbose_name = "Расписание"
