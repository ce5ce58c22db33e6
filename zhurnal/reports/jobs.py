"""Report files made in the background: ``enqueue(job_id)`` hands the job to a worker, ``run_job`` makes the file
with progress, the user's page polls the job and downloads the kept file — he may leave and come back.

The worker: a daemon thread of the serving process, started after the request's transaction commits. (The task
queue — Huey in ``core`` — replaces the thread by its task once it lands; ``run_job`` is the task's body as is.)
With ``settings.REPORT_JOBS_EAGER`` (tests) the job runs at once in the caller's thread.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def enqueue(job_id: int) -> None:
    if getattr(settings, "REPORT_JOBS_EAGER", False):
        run_job(job_id)
        return
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"report-job-{job_id}", daemon=True)
    thread.start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        close_old_connections()


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
    from zhurnal.accounts.roles import roles_in
    from zhurnal.school.models import School

    from . import catalog, documents, services
    from .context import ReportContext
    from .models import ReportJob

    job = ReportJob.objects.select_related("user").get(pk=job_id)
    try:
        services.set_job_progress(job_id=job_id, percent=1, stage="сбор данных")
        if job.report == MUNICIPAL_REFRESH:
            _refresh_department(job)
            return
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
