"""Reports follow the pages they summarise; the department's specialist reads figures of its schools only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from zhurnal.core.testing import make_user


def _client(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_class_teacher_reads_his_class_only(report_school, client):
    s = report_school.s
    client = _client(client, "class_teacher")
    assert client.get(f"/reports/class_progress/?class={s.class_5a.pk}").status_code == 200
    assert client.get(f"/reports/class_progress/?class={s.class_5b.pk}").status_code == 404
    assert client.get(f"/reports/class_progress/?class={s.other_class.pk}").status_code == 404
    assert client.get(f"/reports/class_progress/?class={s.class_5b.pk}&format=xlsx").status_code == 404
    assert client.get("/reports/school_quality/").status_code == 403


def test_a_teacher_reads_his_own_groups_only(report_school, client):
    s = report_school.s
    client = _client(client, "teacher")
    page = client.get(f"/reports/teacher_progress/?teacher={s.staff['other_teacher'].pk}").content.decode()
    assert "Учителева" in page and "5Б" not in page  # another teacher's id falls back to his own
    assert client.get("/reports/class_progress/").status_code == 403


@pytest.fixture
def department(report_school):
    from zhurnal.reports import services

    official = make_user("uo-specialist", first_name="Ольга", last_name="Управленцева")
    department = services.save_department(actor=None, name="Управление образования г. Энска",
                                          schools=[report_school.s.school])
    services.appoint_official(actor=None, department=department, user=official, position="специалист")
    return official


def test_the_department_reads_aggregates_without_names(report_school, department, client,
                                                       django_capture_on_commit_callbacks):
    client.force_login(department)
    assert client.get("/").url == "/reports/municipal/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/municipal/refresh/")
    assert response.status_code == 302
    page = client.get("/reports/municipal/").content.decode()
    assert "Школа № 1" in page and "Школа № 2" not in page
    for name in ("Антонов", "Григорьев", "Иванов", "Учителева"):
        assert name not in page
    xlsx = client.get("/reports/municipal/?format=xlsx")
    assert xlsx.status_code == 200
    assert client.get("/reports/class_progress/").status_code == 404  # no role in the school
    assert "Показатели школ" in client.get("/reports/municipal/").content.decode()


def test_a_school_user_is_not_the_department(report_school, client):
    assert _client(client, "director").get("/reports/municipal/").status_code == 403


def test_the_department_page_makes_constant_queries(report_school, department, client):
    from django.utils import timezone

    from zhurnal.core.testing import page_queries
    from zhurnal.reports.models import Department, SchoolSnapshot
    from zhurnal.school.testing import make_school

    client.force_login(department)
    SchoolSnapshot.objects.create(school=report_school.s.school, computed_at=timezone.now(), data={"pupils": 30})
    small, _ = page_queries(client, "/reports/municipal/")
    region = Department.objects.get()
    for n in range(8):
        school = make_school(f"Школа № {n + 10}", slug=f"school-region-{n}")
        region.schools.add(school)
        SchoolSnapshot.objects.create(school=school, computed_at=timezone.now(), data={"pupils": 500 + n})
    large, response = page_queries(client, "/reports/municipal/")
    assert small == large
    assert response.content.decode().count("<tr") >= 10
