"""Report files made in the background, on the application's task queue (``zhurnal.core.tasks``, Huey):
``request_report_file`` (services) queues ``make_report_file`` once its transaction commits; the job makes the file
with progress, the user's page polls the job and downloads the kept file — he may leave and come back.
"""

from __future__ import annotations

import logging

from zhurnal.core.tasks import task

logger = logging.getLogger(__name__)


@task(name="reports.make_file", retries=0)
def make_report_file(job_id: int) -> None:
    run_job(job_id)


MUNICIPAL_REFRESH = "municipal_refresh"


def _refresh_department(job) -> None:
    """Recompute the figures of every school of the official's departments, then the overview as a file."""
    from zhurnal.core.dates import today

    from . import documents, selectors, services
    from .permissions import schools_for_municipal

    schools = list(schools_for_municipal(job.user))
    for index, school in enumerate(schools, start=1):
        services.refresh_snapshot(school=school, today=today())
        services.set_job_progress(job_id=job.pk, percent=int(95 * index / max(1, len(schools))),
                                  stage=f"{school.short_name} ({index} из {len(schools)})")
    document = selectors.municipal_overview(job.user).document
    render, _ = documents.RENDERERS[job.file_format]
    services.finish_job(job_id=job.pk, content=render(document), filename=f"{document.filename}.{job.file_format}")


def run_job(job_id: int) -> None:
    from zhurnal.school.models import School
    from zhurnal.school.roles import roles_in

    from . import catalog, documents, services
    from .context import ReportContext
    from .models import ReportJob

    job = ReportJob.objects.select_related("user").get(pk=job_id)
    try:
        services.set_job_progress(job_id=job_id, percent=1, stage="сбор данных")
        if job.report == MUNICIPAL_REFRESH:
            _refresh_department(job)
            return
        if job.school_id is None:
            raise ValueError(f"report job {job.pk} names no school")
        school = School.objects.get(pk=job.school_id)
        roles = roles_in(job.user, school)
        spec = catalog.ALL[job.report]
        if not spec.allowed(roles):
            raise PermissionError("нет доступа к отчёту")
        ctx = ReportContext(roles=roles, params=job.params, user=job.user)

        def progress(percent: int, stage: str) -> None:
            services.set_job_progress(job_id=job_id, percent=int(percent * 0.8), stage=stage)

        document = spec.build(ctx, progress) if spec.background else spec.build(ctx)
        services.set_job_progress(job_id=job_id, percent=85, stage="оформление файла")
        render, _ = documents.RENDERERS[job.file_format]
        content = render(document)
        services.finish_job(job_id=job_id, content=content, filename=f"{document.filename}.{job.file_format}")
    except Exception as error:  # the user must learn that it failed; the log keeps the trace
        logger.exception("report job %s failed", job_id)
        services.fail_job(job_id=job_id, error=f"{type(error).__name__}: {error}")
