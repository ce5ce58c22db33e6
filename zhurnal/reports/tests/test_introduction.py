"""The introduction report of seed 003, appendix 2: every item of the form in its order, the figures the data holds
worked out by hand, the free-text items left blank for the school, the coverage «с указанием классов».

The world on 7 December: 5А — the small school's 3 pupils and the 8 of ``FINALS`` less Жуков (left on 10 October) =
10 pupils, one with a login (Иванов, «student», activated); 5Б — 3 pupils, one with a login («other_student»).
Families: Иванов's mother («guardian», activated, consent for electronic information given), Петров's in 5Б
(«other_guardian», activated, no consent); here Антонов's mother without a login and Борисов's with a login issued
but never activated (an unusable password) are added to 5А.
    parents: 4; logins issued 3 / 4 = 75,0 %; activated 2 / 4 = 50,0 %; consent 1 / 4 = 25,0 %;
    pupils: 13; logins issued 2 / 13 = 15,38… → 15,4 %;
    5А: 10 pupils, 3 parents: issued 2 / 3 = 66,7 %, activated 1 / 3 = 33,3 %, consent 33,3 %, pupils 1 / 10 = 10,0 %;
    5Б: 3 pupils, 1 parent: 100,0 %, 100,0 %, 0,0 %, pupils 1 / 3 = 33,3 %.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.contrib.auth import get_user_model

from zhurnal.reports.tests.test_reports import _norm, pdf_text

ITEMS = ["1.", "2.", "3.", "4.", "4.1.", "4.2.", "5.", "5.1.", "5.2.", "6.", "6.1.", "6.2.", "6.3.", "7.", "8.", "9.",
         "10.", "10.1.", "10.2.", "10.3.", "11.", "12.", "12.1.", "12.2.", "12.3.", "13.", "14.", "14.1.", "14.2.", "15."]
FREE_TEXT = ["1.", "3.", "4.", "4.1.", "4.2.", "5.", "5.1.", "5.2.", "6.1.", "6.2.", "6.3.", "7.", "9.", "10.1.",
             "10.2.", "10.3.", "11.", "15."]


def test_introduction_report_follows_the_form(report_school, client):
    from zhurnal.core.testing import make_user
    from zhurnal.school.models import GuardianLink, InfoChannel
    from zhurnal.school.testing import make_guardian

    world = report_school
    make_guardian(world.pupils["Антонов"], last_name="Антонова")
    borisova = make_guardian(world.pupils["Борисов"], last_name="Борисова")
    borisova.user = make_user("borisova")
    borisova.user.set_unusable_password()
    borisova.user.save()
    borisova.save(update_fields=["user"])
    GuardianLink.objects.filter(guardian__user__username="guardian").update(consent_given_on=dt.date(2026, 9, 1),
                                                              info_channel=InfoChannel.ELECTRONIC)
    GuardianLink.objects.exclude(guardian__user__username="guardian").update(consent_given_on=None)
    client.force_login(get_user_model().objects.get(username="deputy"))

    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/introduction/?format=xlsx").content))
    rows = list(book["Отчёт"].iter_rows(values_only=True))
    form = {row[0]: row for row in rows if row[0] in ITEMS}
    assert [row[0] for row in rows if row[0] in ITEMS] == ITEMS  # every item once, in the form's order
    for item in FREE_TEXT:
        assert not form[item][2], item  # the school types it
    assert form["2."][2] == "«Журнал»"
    assert form["8."][2] == "25,0 (5А кл.)"
    assert form["12.1."][2] == "75,0 (5А, 5Б кл.)"
    assert form["12.3."][2] == "15,4 (5А, 5Б кл.)"
    assert form["14."][2] == "50,0 (5А, 5Б кл.)"
    by_class = {row[0]: row[1:8] for row in book["По классам"].iter_rows(values_only=True) if row[0] in ("5А", "5Б")}
    assert by_class["5А"] == (10, 3, 66.7, 33.3, 33.3, 10, 10)  # numbers stored as numbers
    assert by_class["5Б"] == (3, 1, 100, 100, 0, 33.3, 33.3)

    html = _norm(client.get("/reports/introduction/").content.decode())
    pdf = _norm(pdf_text(client.get("/reports/introduction/?format=pdf").content))
    for text in (html, pdf):
        for expected in ("Назначение ответственного лица", "Наличие на официальном сайте", "75,0 (5А, 5Б кл.)",
                         "Возникшие проблемы и результат их решения", "Руководитель ОУ"):
            assert _norm(expected) in text, expected
