from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "zhurnal.journal"
    verbose_name = "Журнал"

    def ready(self) -> None:
        from zhurnal.core import stamps
        from zhurnal.core.navigation import (
            ADMINISTRATION,
            MenuEntry,
            StartPage,
            register_menu,
            register_start,
        )
        from zhurnal.planning.sequence import register_content_writer, register_topic_guard
        from zhurnal.school.permissions import teaches
        from zhurnal.timetable.lesson_data import register_lesson_data

        from . import models, permissions, services

        stamps.watch(models.GradingPolicy, models.WorkType)  # the rules are cached per school (policies.py)
        # Regenerating lessons after a timetable change must never delete a lesson that holds journal data.
        register_lesson_data("marks", "attendance", "record", "attachments", "individual_homework")
        # The КТП writes lesson topics: not into a closed period, as a teacher's edit is refused there.
        register_topic_guard(services.closed_period_message)
        # The journal owns a lesson's content: the КТП's topics and homework are written (and audited) by it.
        register_content_writer(services.write_plan_content)
        register_menu(
            # «Мой день»: the teacher's start page (today's lessons and what is unfilled); the timetable of the day
            # is a link from it.
            MenuEntry(10, "Мой день", "journal:today", teaches),
            MenuEntry(20, "Журнал", "journal:index", teaches),
            MenuEntry(170, "Журнал", "journal:index", permissions.can_view_control),
            MenuEntry(190, "Оценивание", "journal:rules", permissions.can_edit_grading_rules,
                      group=ADMINISTRATION),
        )
        register_start(StartPage(35, "journal:today", teaches))  # after the class teacher's class page
