"""Loading a plan through the pages (preview, per-row errors, all or nothing), editing it, copying it and
sharing it between groups."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhurnal.audit.models import AuditEntry
from zhurnal.planning import services
from zhurnal.planning.exchange import SAMPLE_ITEMS, SectionItem, TopicItem, to_csv, to_xlsx
from zhurnal.planning.models import PlannedTopic, ThematicPlan
from zhurnal.school.testing import class_group, make_assignment, make_class, make_year
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def upload(client, assignment, data, name="ktp.xlsx", **extra):
    url = reverse("planning:import_for_assignment", args=[assignment.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra})


def outline(plan):
    return [(row.title, getattr(row, "hours", None)) for row in
            sorted([*plan.sections.all(), *plan.topics.all()], key=lambda r: r.position)]


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(ktp, login):
    client = login("teacher")
    response = upload(client, ktp.math_5a, to_xlsx(SAMPLE_ITEMS))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Проверьте перед загрузкой" in body and "Ряд натуральных чисел" in body
    assert "В КТП 20 ч, а по нагрузке 3 ч/нед × 34 нед = 102 ч" in body
    assert not ThematicPlan.objects.exists()
    response = client.post(reverse("planning:import_for_assignment", args=[ktp.math_5a.pk]),
                           {"token": response.context["token"]})
    assert response.status_code == 302
    plan = services.plan_of(ktp.math_5a)
    assert plan.topics.count() == 11 and plan.sections.count() == 3
    assert AuditEntry.objects.filter(verb="plan.import", target_id=str(plan.pk)).exists()


def test_a_file_with_errors_shows_every_row_and_changes_nothing(ktp, login):
    client = login("teacher")
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    before = outline(plan)
    bad = to_csv([TopicItem("Хорошая тема", 1)]).decode("utf-8-sig") + "2;;1\r\n3;Тема;полтора\r\n3;Ещё;1\r\n"
    response = upload(client, ktp.math_5a, bad.encode("cp1251"), name="ktp.csv")
    assert response.status_code == 422
    rows = [(e.row, e.message) for e in response.context["parsed"].errors]
    assert rows == [(3, "не указана тема урока."), (4, "«полтора» — не число часов; укажите целое число уроков."),
                    (5, "номер «3» уже есть в строке 4.")]
    body = response.content.decode()
    assert "3 ошибки" in body and "ничего не сохраняется" in body
    assert outline(plan) == before


def test_confirming_with_fill_writes_the_next_lessons_topics(ktp, login, monkeypatch):
    # On the school's day of the fixture, in the first quarter: a fill into a period closed since is refused.
    monkeypatch.setattr("zhurnal.planning.services.school_today", lambda: ktp.today)
    client = login("teacher")
    response = upload(client, ktp.math_5a, to_xlsx(SAMPLE_ITEMS))
    client.post(reverse("planning:import_for_assignment", args=[ktp.math_5a.pk]),
                {"token": response.context["token"], "fill": "1", "until": "2026-09-07"})
    topics = list(Lesson.objects.filter(assignment=ktp.math_5a).order_by("date", "number")
                  .values_list("topic", flat=True)[:4])
    first = "Ряд натуральных чисел. Десятичная запись натуральных чисел"
    assert topics == [first, first, "Сравнение натуральных чисел. Координатная прямая", ""]


def test_a_tampered_or_foreign_preview_token_is_refused(ktp, login):
    client = login("teacher")
    token = upload(client, ktp.math_5a, to_xlsx(SAMPLE_ITEMS)).context["token"]
    url = reverse("planning:import_for_assignment", args=[ktp.math_5a.pk])
    response = client.post(url, {"token": token[:-3] + "abc"}, follow=True)
    assert "устарел или повреждён" in response.content.decode()
    other = login("other_teacher")
    response = other.post(reverse("planning:import_for_assignment", args=[ktp.math_5b.pk]), {"token": token},
                          follow=True)
    assert "относится к другому КТП" in response.content.decode()
    assert not ThematicPlan.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_reading(ktp, login, settings):
    settings.ZHURNAL_MAX_IMPORT_BYTES = 1000
    response = upload(login("teacher"), ktp.math_5a, b"x" * 2000, name="ktp.csv")
    assert response.status_code == 422
    assert "больше" in response.content.decode()


def test_export_downloads_the_plan_in_the_template(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    client = login("teacher")
    response = client.get(reverse("planning:export_csv", args=[plan.pk]))
    assert response.content == to_csv(SAMPLE_ITEMS)
    assert "attachment" in response["Content-Disposition"]
    response = client.get(reverse("planning:export_xlsx", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("planning:template_csv")).content == to_csv(SAMPLE_ITEMS)


# --- editing -----------------------------------------------------------------------------------------------


def test_topics_are_added_to_a_section_moved_across_sections_and_deleted(ktp):
    plan = services.import_plan(actor=None, assignment=ktp.math_5a, items=[
        SectionItem("Первый"), TopicItem("a", 1), SectionItem("Второй"), TopicItem("b", 2)])
    first = plan.sections.get(title="Первый")
    services.save_topic(actor=None, plan=plan, section=first, title="a2", hours=3, control="Тест")
    assert outline(plan) == [("Первый", None), ("a", 1), ("a2", 3), ("Второй", None), ("b", 2)]
    b = plan.topics.get(title="b")
    services.move_row(actor=None, row=b, direction=-1)
    assert outline(plan) == [("Первый", None), ("a", 1), ("a2", 3), ("b", 2), ("Второй", None)]
    assert PlannedTopic.objects.get(pk=b.pk).section == first
    services.delete_row(actor=None, row=plan.sections.get(title="Второй"))
    services.delete_row(actor=None, row=plan.topics.get(title="a"))
    assert outline(plan) == [("Первый", None), ("a2", 3), ("b", 2)]
    with pytest.raises(ValidationError, match="уже первая"):
        services.move_row(actor=None, row=first, direction=-1)


def test_topic_form_rejects_bad_hours_in_russian(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    client = login("teacher")
    response = client.post(reverse("planning:topic_create", args=[plan.pk]), {"title": "Новая", "hours": "0"})
    assert response.status_code == 200
    assert "Убедитесь, что это значение больше либо равно 1." in response.content.decode()
    with pytest.raises(ValidationError, match="от 1 до 100"):
        services.save_topic(actor=None, plan=plan, title="Новая", hours=101)


def test_the_plan_page_numbers_topics_by_lesson(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    view = login("teacher").get(reverse("planning:plan", args=[plan.pk])).context["view"]
    labels = [row.hours_label for row in view.rows if row.topic]
    assert labels[:4] == ["1–2", "3–4", "5–7", "8–10"]
    assert view.total_hours == 20


def test_the_editor_moves_edits_and_deletes_each_row_from_the_plan_page(ktp, login):
    plan = services.import_plan(actor=None, assignment=ktp.math_5a, items=[SectionItem("Дроби"), TopicItem("Сложение", 1)])
    section, topic = plan.sections.get(), plan.topics.get()
    client = login("teacher")
    body = client.get(reverse("planning:plan", args=[plan.pk])).content.decode()
    for kind, row in (("section", section), ("topic", topic)):
        for action in ("edit", "move", "delete"):
            assert reverse(f"planning:{kind}_{action}", args=[row.pk]) in body
    assert f"{reverse('planning:topic_create', args=[plan.pk])}?section={section.pk}" in body
    assert "Удалить раздел «Дроби»? Его темы останутся в разделе выше." in body
    assert "Удалить тему «Сложение» из КТП?" in body
    response = client.post(reverse("planning:topic_move", args=[topic.pk]), {"direction": "up"})
    assert response["Location"].endswith(f"#topic-{topic.pk}")
    assert outline(plan) == [("Сложение", 1), ("Дроби", None)]
    response = client.post(reverse("planning:section_delete", args=[section.pk]), follow=True)
    assert "Раздел «Дроби» удалён; его темы остались в разделе выше." in response.content.decode()
    assert outline(plan) == [("Сложение", 1)]


# --- copying and sharing ------------------------------------------------------------------------------------


def test_copy_to_another_class_of_the_same_grade(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    teacher_5b = make_assignment(ktp.staff["teacher"], ktp.math, class_group(make_class(ktp.year, 5, "В")))
    client = login("teacher")
    response = client.get(reverse("planning:plan_copy", args=[plan.pk]))
    assert [value for value, _ in response.context["form"].fields["target"].choices] == [f"a{teacher_5b.pk}"]
    response = client.post(reverse("planning:plan_copy", args=[plan.pk]), {"target": f"a{teacher_5b.pk}"})
    copy = services.plan_of(teacher_5b)
    assert response.status_code == 302 and copy.pk != plan.pk
    assert outline(copy) == outline(plan)


def test_copy_to_the_next_year_and_a_group_takes_it_there(ktp):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    next_year = make_year(ktp.school, start=dt.date(2027, 9, 1))
    copy = services.copy_plan(actor=None, plan=plan, year=next_year)
    assert (copy.year, copy.grade, copy.subject, copy.owner) == (next_year, 5, ktp.math, ktp.staff["teacher"])
    assert outline(copy) == outline(plan)
    group = class_group(make_class(next_year, 5, "А"))
    assignment = make_assignment(ktp.staff["teacher"], ktp.math, group)
    services.attach_plan(actor=None, plan=copy, assignment=assignment)
    assert services.plan_of(assignment) == copy
    with pytest.raises(ValidationError, match="следующий учебный год"):
        services.copy_plan(actor=None, plan=copy, year=ktp.year)


def test_one_plan_serves_several_groups_of_the_same_subject_and_grade(ktp):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    services.attach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    assert services.plan_of(ktp.math_5b) == plan
    for assignment in (ktp.math_5a, ktp.math_5b):
        services.fill_topics_from_plan(actor=None, assignment=assignment, until=dt.date(2026, 9, 4),
                                       today=dt.date(2026, 9, 1))
    assert Lesson.objects.filter(assignment=ktp.math_5b, topic__startswith="Ряд").count() == 2
    with pytest.raises(ValidationError, match="по предмету «Математика»"):
        services.attach_plan(actor=None, plan=plan, assignment=ktp.russian_5a)
    with pytest.raises(ValidationError, match="уже работает по этому КТП"):
        services.attach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    sixth = make_assignment(ktp.staff["teacher"], ktp.math, class_group(make_class(ktp.year, 6, "А")))
    with pytest.raises(ValidationError, match="из другой параллели"):
        services.attach_plan(actor=None, plan=plan, assignment=sixth)
    services.detach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    assert services.plan_of(ktp.math_5b) is None
    assert Lesson.objects.filter(assignment=ktp.math_5b, topic__startswith="Ряд").count() == 2


def test_deleting_a_plan_keeps_the_topics_lessons_already_have(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=dt.date(2026, 9, 4),
                                   today=dt.date(2026, 9, 1))
    response = login("teacher").post(reverse("planning:plan_delete", args=[plan.pk]))
    assert response.status_code == 302
    assert not ThematicPlan.objects.exists()
    assert Lesson.objects.filter(assignment=ktp.math_5a).exclude(topic="").count() == 2


def test_the_preview_says_when_the_plan_is_shared_with_other_groups(ktp, login):
    plan = services.import_plan(actor=None, items=SAMPLE_ITEMS, assignment=ktp.math_5a)
    client = login("teacher")
    alone = upload(client, ktp.math_5a, to_xlsx(SAMPLE_ITEMS)).content.decode()
    assert 'id="shared-plan"' not in alone
    services.attach_plan(actor=None, plan=plan, assignment=ktp.math_5b)
    shared = upload(client, ktp.math_5a, to_xlsx(SAMPLE_ITEMS)).content.decode()
    assert 'id="shared-plan"' in shared and "Этот КТП общий" in shared and "5Б (Математика" in shared
    assert "заменит план у обеих групп" in shared
    assert outline(plan) == outline(services.plan_of(ktp.math_5b))  # nothing changed by the preview
