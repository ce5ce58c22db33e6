from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "zhurnal.school"
    verbose_name = "Школа"

    def ready(self) -> None:
        from zhurnal.accounts.backends import read_with_user
        from zhurnal.accounts.permissions import register_login_role
        from zhurnal.core import params, stamps
        from zhurnal.core.navigation import (
            ADMINISTRATION,
            PEOPLE,
            MenuEntry,
            StartPage,
            register_menu,
            register_start,
        )

        from . import models, permissions, queries, roles, selectors
        from .access import permissions as access

        # Roles (who works, teaches, leads a class, learns, is a guardian) and the calendar (years, periods,
        # holidays), subjects and groups (the diary's lessons) are cached per school: their changes replace the
        # school's stamp.
        params.register_date_bounds(selectors.request_date_bounds)  # dates in addresses: within the school's years
        stamps.watch(models.StaffMember, models.StaffPosition, models.SchoolClass, models.TeachingAssignment,
                     models.Student, models.Guardian, models.GuardianLink, models.AcademicYear, models.PeriodSet,
                     models.ReportingPeriod, models.Holiday, models.Subject, models.Group)
        # Every page needs the schools of its user (the school switcher, the active school).
        read_with_user(roles.SCHOOL_ROWS, queries.schools_query)
        # A school manages only logins whose every role is in it (``accounts.permissions.school_manages_login``).
        for relation in ("staff_roles", "student_roles", "guardian_roles"):
            register_login_role(relation)
        register_menu(
            MenuEntry(30, "Мои группы", "school:my_groups", permissions.teaches),
            MenuEntry(40, "Мой класс", "school:class_detail", permissions.leads_a_class, led_class=True),
            MenuEntry(80, "Классы", "school:class_list", permissions.can_read_people, group=PEOPLE),
            MenuEntry(90, "Обучающиеся", "school:student_list", permissions.can_read_people, group=PEOPLE),
            MenuEntry(100, "Сотрудники", "school:staff_list", permissions.can_read_people, group=PEOPLE),
            MenuEntry(110, "Движение", "school:movement_log", permissions.can_read_people, group=PEOPLE),
            MenuEntry(120, "Настройка", "school:setup", permissions.can_view_setup, group=ADMINISTRATION),
            MenuEntry(130, "Импорт", "school:import", permissions.can_import, group=ADMINISTRATION),
            MenuEntry(220, "Мои дети", "school:children", permissions.is_guardian),
            MenuEntry(230, "Моя страница", "school:me", permissions.is_student),
            MenuEntry(240, "Доступ", "school:access", access.can_issue_codes, group=ADMINISTRATION),
            MenuEntry(245, "Журнал доступа", "school:access_log", access.can_read_access_log, group=ADMINISTRATION),
        )
        register_start(
            StartPage(10, "school:setup", permissions.can_manage_structure),
            StartPage(20, "school:class_list", permissions.can_read_people),
            StartPage(30, "school:class_detail", permissions.leads_a_class, led_class=True),
            StartPage(40, "school:my_groups", permissions.teaches),
        )
