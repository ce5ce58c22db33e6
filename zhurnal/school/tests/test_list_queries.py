"""The list pages make the same number of queries for a small and a large school."""

import datetime as dt

import pytest

from zhurnal.school.testing import build_small_school, make_class, make_guardian, make_student, page_queries

pytestmark = pytest.mark.django_db


def grow(school, extra_students: int) -> None:
    classes = [school.class_5a, school.class_5b] + [make_class(school.year, 6 + i % 5, "АБВГ"[i // 5])
                                                     for i in range(18)]
    for i in range(extra_students):
        student = make_student(classes[i % len(classes)], start=dt.date(2026, 9, 1) + dt.timedelta(days=i % 40))
        if i % 3 == 0:
            make_guardian(student)


def count_queries(client, url: str) -> int:
    return page_queries(client, url)[0]


@pytest.mark.parametrize("url_name", ["class_list", "student_list", "class_detail", "staff_list", "movement_log"])
def test_list_pages_make_constant_queries_for_10_and_600_students(client, url_name):
    from django.urls import reverse

    school = build_small_school(students_per_class=5)  # 10 students in the school
    client.force_login(school.users["admin"])
    args = [school.class_5a.pk] if url_name == "class_detail" else []
    url = reverse(f"school:{url_name}", args=args) + "?on=2026-11-20"
    small = count_queries(client, url)
    grow(school, 590)
    large = count_queries(client, url)
    assert small == large, f"{url_name}: {small} queries for 10 students, {large} for 600"


def test_class_list_page_counts_students_on_the_date(client):
    school = build_small_school(students_per_class=4)
    make_student(school.class_5a, "Поздняков", start=dt.date(2026, 11, 16))
    client.force_login(school.users["director"])
    before = client.get("/classes/?on=2026-11-15").content.decode()
    after = client.get("/classes/?on=2026-11-16").content.decode()
    assert "8 обучающихся" in before
    assert "9 обучающихся" in after
