import pytest


@pytest.fixture
def report_school(db):
    from zhurnal.reports.testing import build_report_school

    return build_report_school()
