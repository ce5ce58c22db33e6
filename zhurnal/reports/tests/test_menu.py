"""Every report is reached from the menu by the roles it serves: the menu's «Отчёты» leads to the list, the list links
every report of the role and none other, and each link opens. The lists are written out here, not derived from the
catalogue's predicates, so that a report slipping out of a role's reach fails."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

CLASS = {"class_summary", "class_attendance", "class_teacher_report", "class_progress", "class_summary_sheet",
         "class_attendance_sheet", "class_movement", "report_cards", "year_journal"}
SUBJECT = {"teacher_preliminary", "teacher_progress", "teacher_summary"}
SCHOOL = {"school_quality", "school_summary_sheet", "final_data", "school_movement", "class_occupancy",
          "user_activity", "introduction"}
CONTROL = {"control", "filling_months"}

MENU = {
    "class_teacher": CLASS | SUBJECT,  # leads 5А and teaches
    "teacher": SUBJECT,
    "deputy": CLASS | SUBJECT | SCHOOL | CONTROL,
    "director": CLASS | SUBJECT | SCHOOL | CONTROL,
    "admin": CLASS | SUBJECT | SCHOOL,  # the journal administrator does not control the filling
}


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="/reports/([a-z_]+)/"', html))


@pytest.mark.parametrize("username", sorted(MENU))
def test_the_menu_leads_each_role_to_its_reports(report_school, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    home = client.get("/", follow=True).content.decode()
    assert re.search(r'<a[^>]*href="/reports/"[^>]*>\s*Отчёты', home), username
    index = client.get("/reports/").content.decode()
    found = _links(index) - {"settings", "jobs", "municipal"}
    assert found == MENU[username]
    for key in sorted(found):
        assert client.get(f"/reports/{key}/").status_code == 200, key


@pytest.mark.parametrize("username", ["student", "guardian"])
def test_families_have_no_reports_in_the_menu(report_school, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    home = client.get("/", follow=True).content.decode()
    assert 'href="/reports/"' not in home
    assert client.get("/reports/").status_code in (403, 404)
