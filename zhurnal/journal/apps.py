from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "zhurnal.journal"
    verbose_name = "Журнал"

    def ready(self) -> None:
        from zhurnal.school import stamps
        from zhurnal.timetable.lesson_data import LESSON_DATA_RELATIONS

        from . import models

        stamps.watch(models.GradingPolicy, models.WorkType)  # the rules are cached per school (policies.py)

        # Regenerating lessons after a timetable change must never delete a lesson that holds journal data.
        for related_name in ("marks", "attendance", "record", "attachments", "individual_homework"):
            if related_name not in LESSON_DATA_RELATIONS:
                LESSON_DATA_RELATIONS.append(related_name)
