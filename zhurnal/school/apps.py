from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "zhurnal.school"
    verbose_name = "Школа"

    def ready(self) -> None:
        from . import models, stamps

        # Roles (who works, teaches, leads a class, learns, is a guardian) and the calendar (years, periods,
        # holidays), subjects and groups (the diary's lessons) are cached per school: their changes replace the
        # school's stamp.
        stamps.watch(models.StaffMember, models.StaffPosition, models.SchoolClass, models.TeachingAssignment,
                     models.Student, models.Guardian, models.GuardianLink, models.AcademicYear, models.PeriodSet,
                     models.ReportingPeriod, models.Holiday, models.Subject, models.Group)
