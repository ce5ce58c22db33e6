"""Every write of the reports app: the school's report settings, report files made in the background, the
department's snapshots of its schools' figures, departments and their officials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb
from zhurnal.core import events
from zhurnal.school.models import School
from zhurnal.school.selectors import current_year

from .models import Department, DepartmentOfficial, JobStatus, ReportJob, ReportSettings, SchoolSnapshot

FORMATS = ("pdf", "xlsx", "csv")


@transaction.atomic
def save_report_settings(*, actor: User, school: School, exempt_in_n: bool, no_final_in_n: bool,
                         departed_in_n: bool, not_attested_in_n: bool, missed_day_lessons: int,
                         risk_average_below: Decimal, risk_absences_in_row: int) -> ReportSettings:
    errors = {}
    if not 0 <= missed_day_lessons <= 12:
        errors["missed_day_lessons"] = "Пропущенный день: число уроков от 0 до 12 (0 — все уроки дня)."
    if not Decimal(1) <= risk_average_below <= Decimal(5):
        errors["risk_average_below"] = "Группа риска: средний балл от 1 до 5."
    if not 0 <= risk_absences_in_row <= 50:
        errors["risk_absences_in_row"] = "Группа риска: пропусков подряд от 0 до 50 (0 — не учитывать)."
    if errors:
        raise ValidationError(errors)
    row = ReportSettings.objects.select_for_update().filter(school=school).first() or ReportSettings(school=school)
    fields = ("exempt_in_n", "no_final_in_n", "departed_in_n", "not_attested_in_n", "missed_day_lessons",
              "risk_average_below", "risk_absences_in_row")
    before = {name: str(getattr(row, name)) for name in fields} if row.pk else None
    row.exempt_in_n, row.no_final_in_n, row.departed_in_n = exempt_in_n, no_final_in_n, departed_in_n
    row.not_attested_in_n, row.missed_day_lessons = not_attested_in_n, missed_day_lessons
    row.risk_average_below, row.risk_absences_in_row = risk_average_below, risk_absences_in_row
    row.updated_by = actor
    row.save()
    record(actor=actor, verb=Verb.REPORTS_SETTINGS, target=row, school=school, before=before,
           after={name: str(getattr(row, name)) for name in fields})
    return row


@transaction.atomic
def request_report_file(*, actor: User, school: School | None, report: str, params: dict[str, str],
                        file_format: str, title: str) -> ReportJob:
    """A report file to be made in the background; the task starts once this transaction commits."""
    if file_format not in FORMATS:
        raise ValidationError({"format": f"Формат «{file_format}» не поддерживается: PDF, XLSX или CSV."})
    job = ReportJob.objects.create(school=school, user=actor, report=report, params=dict(params),
                                   file_format=file_format, title=title[:300])
    from zhurnal.core.tasks import enqueue_on_commit

    from .jobs import make_report_file

    enqueue_on_commit(make_report_file, job.pk)
    return job


def set_job_progress(*, job_id: int, percent: int, stage: str) -> None:
    """Progress as the task goes (its own short write: the page polls it)."""
    ReportJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, progress=max(0, min(99, percent)),
                                               stage=stage[:200])


@transaction.atomic
def finish_job(*, job_id: int, content: bytes, filename: str) -> ReportJob:
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    job.file.save(filename, ContentFile(content), save=False)
    job.filename, job.status, job.progress, job.stage = filename, JobStatus.DONE, 100, ""
    job.finished_at = timezone.now()
    job.save()
    # The person who asked is told (a job ended by the system: no actor).
    events.publish("reports.file_ready", school_id=job.school_id or 0, actor_id=None, job_id=job.pk,
                   user_id=job.user_id, title=job.title or filename, url=reverse("reports:job", args=[job.pk]))
    return job


def fail_job(*, job_id: int, error: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=error[:2000],
                                               finished_at=timezone.now())


@transaction.atomic
def refresh_snapshot(*, school: School, today: dt.date) -> SchoolSnapshot | None:
    """Recompute a school's aggregated figures for its department (``school_reports.school_aggregates``)."""
    from .school_reports import school_aggregates

    year = current_year(school, today)
    if year is None:
        return None
    data = school_aggregates(school, year, today)
    snapshot, _ = SchoolSnapshot.objects.update_or_create(school=school, defaults={"computed_at": timezone.now(),
                                                                                   "data": data})
    return snapshot


@transaction.atomic
def save_department(*, actor: User, name: str, schools: list[School], department: Department | None = None
                    ) -> Department:
    if not name.strip():
        raise ValidationError({"name": "Укажите наименование управления образования."})
    department = department or Department()
    department.name = name.strip()[:300]
    department.save()
    department.schools.set(schools)
    for school in schools:
        record(actor=actor, verb=Verb.REPORTS_DEPARTMENT, target=department, school=school,
               after={"name": department.name, "schools": [s.pk for s in schools]})
    return department


@transaction.atomic
def appoint_official(*, actor: User, department: Department, user: User, position: str = "") -> DepartmentOfficial:
    official, _ = DepartmentOfficial.objects.update_or_create(department=department, user=user,
                                                              defaults={"position": position[:200]})
    for school in department.schools.all():
        record(actor=actor, verb=Verb.REPORTS_OFFICIAL, target=official, school=school,
               after={"user": user.pk, "department": department.pk})
    return official
