from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "zhurnal.journal"
    verbose_name = "Журнал"

    def ready(self) -> None:
        from zhurnal.core import stamps
        from zhurnal.core.navigation import MenuEntry, register_menu
        from zhurnal.school.permissions import teaches
        from zhurnal.timetable.lesson_data import register_lesson_data

        from . import models, permissions

        stamps.watch(models.GradingPolicy, models.WorkType)  # the rules are cached per school (policies.py)
        # Regenerating lessons after a timetable change must never delete a lesson that holds journal data.
        register_lesson_data("marks", "attendance", "record", "attachments", "individual_homework")
        register_menu(
            MenuEntry(20, "Журнал", "journal:index", teaches),
            MenuEntry(170, "Журнал", "journal:index", permissions.can_view_control),
            MenuEntry(190, "Оценивание", "journal:rules", permissions.can_edit_grading_rules),
        )
