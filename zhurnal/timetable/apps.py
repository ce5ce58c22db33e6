from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "zhurnal.timetable"
    verbose_name = "Расписание"

    def ready(self) -> None:
        from zhurnal.core import stamps
        from zhurnal.core.navigation import MenuEntry, register_menu

        from . import models, permissions

        stamps.watch(models.BellSchedule, models.Bell, models.SpecialBellDay, models.Room)
        register_menu(
            MenuEntry(140, "Расписание", "timetable:index", permissions.can_view_timetables),
            MenuEntry(150, "Замены", "timetable:substitutions", permissions.can_manage_substitutions),
        )
