import pytest


@pytest.fixture
def report_school(db, settings):
    from zhurnal.reports.testing import build_report_school

    settings.REPORT_JOBS_EAGER = True
    return build_report_school()
