"""Lesson topics follow the plan: filling, shifting, pulling back, extending, own topics — and nothing a teacher
recorded is ever overwritten."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.planning import services
from zhurnal.planning.exchange import SectionItem, TopicItem
from zhurnal.timetable import services as timetable
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db

# Maths in 5А: Wednesday 2 Sep, Friday 4, Monday 7, Wednesday 9, Friday 11, Monday 14, Wednesday 16, ...
D = dt.date
PLAN = [SectionItem("Натуральные числа"), TopicItem("A", 1), TopicItem("B", 2, homework="§ 2"),
        TopicItem("C", 1), TopicItem("D", 1)]


def lessons(s):
    return list(Lesson.objects.filter(assignment=s.math_5a).order_by("date", "number"))


def topics(s, count=7):
    return [lesson.topic for lesson in lessons(s)[:count]]


def write_in_journal(lesson, **fields):
    """What the journal's lesson record does: the teacher types a topic or homework."""
    Lesson.objects.filter(pk=lesson.pk).update(**fields)


@pytest.fixture
def planned(ktp):
    ktp.plan = services.import_plan(actor=None, items=PLAN, assignment=ktp.math_5a)
    return ktp


def fill(s, until, **kwargs):
    kwargs.setdefault("today", D(2026, 9, 1))
    return services.fill_topics_from_plan(actor=s.users["teacher"], assignment=s.math_5a, until=until, **kwargs)


def test_fill_writes_the_next_plan_hours_into_the_next_lessons_a_two_hour_topic_takes_two(planned):
    result = fill(planned, D(2026, 9, 11))
    assert topics(planned) == ["A", "B", "B", "C", "D", "", ""]
    assert [lesson.date for lesson in result.filled] == [D(2026, 9, 2), D(2026, 9, 4), D(2026, 9, 7),
                                                         D(2026, 9, 9), D(2026, 9, 11)]
    assert result.plan_finished


def test_fill_stops_at_the_date_and_continues_after_the_last_plan_topic(planned):
    fill(planned, D(2026, 9, 4))
    assert topics(planned) == ["A", "B", "", "", "", "", ""]
    result = fill(planned, D(2026, 9, 14))
    assert topics(planned) == ["A", "B", "B", "C", "D", "", ""]
    assert len(result.filled) == 3


def test_fill_never_overwrites_a_recorded_topic(planned):
    write_in_journal(lessons(planned)[1], topic="Входная диагностика")
    fill(planned, D(2026, 9, 14))
    assert topics(planned) == ["A", "Входная диагностика", "B", "B", "C", "D", ""]


def test_fill_can_start_from_a_chosen_hour(planned):
    for lesson, text in zip(lessons(planned)[:3], ("A", "B", "B"), strict=True):
        write_in_journal(lesson, topic=text)
    fill(planned, D(2026, 9, 14), start_hour=4)
    assert topics(planned) == ["A", "B", "B", "C", "D", "", ""]
    with pytest.raises(ValidationError, match="от 1 до 5"):
        fill(planned, D(2026, 9, 14), start_hour=9)


def test_homework_from_the_plan_goes_with_the_topics_last_hour_and_never_over_the_teachers_own(planned):
    write_in_journal(lessons(planned)[0], homework="Принести линейку")
    fill(planned, D(2026, 9, 11))
    assert [lesson.homework for lesson in lessons(planned)[:5]] == ["Принести линейку", "", "§ 2", "", ""]


def test_subject_without_marks_gets_topics_but_no_homework(planned):
    planned.math.without_marks = True
    planned.math.save()
    fill(planned, D(2026, 9, 11))
    assert [lesson.homework for lesson in lessons(planned)[:5]] == ["", "", "", "", ""]
    assert topics(planned, 3) == ["A", "B", "B"]


def test_cancelled_lessons_take_no_topic(planned):
    second = lessons(planned)[1]
    timetable.record_substitution(actor=None, lesson=second, kind="cancel", reason="болезнь")
    fill(planned, D(2026, 9, 11))
    assert topics(planned, 5) == ["A", "", "B", "B", "C"]


def test_fill_without_a_plan_is_refused_in_russian(ktp):
    with pytest.raises(ValidationError, match="ещё не загружен КТП"):
        services.fill_topics_from_plan(actor=None, assignment=ktp.math_5a, until=D(2026, 9, 30))


def test_editing_or_reimporting_the_plan_never_rewrites_recorded_topics(planned):
    fill(planned, D(2026, 9, 7))
    assert topics(planned, 4) == ["A", "B", "B", ""]
    topic_a = planned.plan.topics.get(title="A")
    services.save_topic(actor=None, plan=planned.plan, topic=topic_a, title="A (новая формулировка)", hours=1)
    services.import_plan(actor=None, plan=planned.plan,
                         items=[TopicItem(f"Новая {n}", 1) for n in range(1, 8)])
    assert topics(planned, 4) == ["A", "B", "B", ""]
    fill(planned, D(2026, 9, 11))
    assert topics(planned, 6) == ["A", "B", "B", "Новая 4", "Новая 5", ""]


def test_the_journal_can_read_which_plan_topic_each_lesson_took_in_one_query(planned, django_assert_num_queries):
    from zhurnal.planning.selectors import plan_links_for_lessons

    fill(planned, D(2026, 9, 7))
    ids = [lesson.pk for lesson in lessons(planned)[:4]]
    with django_assert_num_queries(1):
        links = plan_links_for_lessons(ids)
        hours = {lesson_id: (link.position, link.topic.title, link.topic.homework) for lesson_id, link in links.items()}
    assert [hours.get(pk) for pk in ids] == [(1, "A", ""), (2, "B", "§ 2"), (3, "B", "§ 2"), None]


def test_every_topic_written_is_audited_old_to_new(planned):
    fill(planned, D(2026, 9, 2))
    lesson = lessons(planned)[0]
    entry = AuditEntry.objects.get(target_type="timetable.lesson", target_id=str(lesson.pk))
    assert (entry.verb, entry.before, entry.after) == ("lesson.topic_from_plan", {"topic": ""}, {"topic": "A"})
    assert entry.actor == planned.users["teacher"]


# --- reshaping the lessons that have not happened yet ---------------------------------------------------------


def test_shift_frees_a_lesson_and_moves_the_following_plan_topics_one_lesson_later(planned):
    fill(planned, D(2026, 9, 11))
    changed = services.shift_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))
    assert topics(planned) == ["A", "", "B", "B", "C", "", ""]
    assert len(changed) == 4
    assert [lesson.homework for lesson in lessons(planned)[:5]] == ["", "", "", "§ 2", ""]
    # The hour that fell off comes back with the next filling.
    fill(planned, D(2026, 9, 14))
    assert topics(planned) == ["A", "", "B", "B", "C", "D", ""]
    shifted = AuditEntry.objects.filter(verb="lesson.topic_shift", target_id=str(lessons(planned)[1].pk)).get()
    assert (shifted.before, shifted.after) == ({"topic": "B"}, {"topic": ""})


def test_shift_skips_lessons_with_a_topic_the_teacher_wrote(planned):
    fill(planned, D(2026, 9, 11))
    write_in_journal(lessons(planned)[3], topic="B: решение задач")
    services.shift_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))
    assert topics(planned, 5) == ["A", "", "B", "B: решение задач", "B"]


def test_shift_refuses_past_lessons_and_topics_the_teacher_changed(planned):
    fill(planned, D(2026, 9, 11))
    with pytest.raises(ValidationError, match="уже прошёл"):
        services.shift_topics(actor=None, lesson=lessons(planned)[0], today=D(2026, 9, 3))
    write_in_journal(lessons(planned)[2], topic="Своя формулировка")
    with pytest.raises(ValidationError, match="уже изменили"):
        services.shift_topics(actor=None, lesson=lessons(planned)[2], today=D(2026, 9, 3))
    assert topics(planned, 5) == ["A", "B", "Своя формулировка", "C", "D"]


def test_lessons_holding_journal_data_keep_their_topics(planned, monkeypatch):
    # Any relation registered in LESSON_DATA_RELATIONS counts; a recorded substitution stands in for marks here.
    monkeypatch.setattr("zhurnal.timetable.lesson_data.LESSON_DATA_RELATIONS", ["substitution"])
    fill(planned, D(2026, 9, 11))
    third = lessons(planned)[2]
    timetable.record_substitution(actor=None, lesson=third, kind="replace", reason="курсы",
                                  substitute=planned.staff["other_teacher"])
    with pytest.raises(ValidationError, match="отметки или другие записи"):
        services.shift_topics(actor=None, lesson=third, today=D(2026, 9, 2))
    services.shift_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))
    assert topics(planned, 5) == ["A", "", "B", "B", "C"]


def test_guard_of_another_app_skips_filling_and_refuses_changes(planned, monkeypatch):
    closed = D(2026, 9, 4)
    monkeypatch.setattr("zhurnal.planning.sequence._TOPIC_GUARDS",
                        [lambda lesson, today: "период закрыт" if lesson.date == closed else None])
    result = fill(planned, D(2026, 9, 9))
    assert topics(planned, 4) == ["A", "", "B", "B"]
    assert [(lesson.date, reason) for lesson, reason in result.skipped] == [(closed, "период закрыт")]
    with pytest.raises(ValidationError, match="период закрыт"):
        services.pull_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 1))


def test_pull_fills_a_free_lesson_from_the_following_ones_and_the_last_takes_the_next_hour(planned):
    fill(planned, D(2026, 9, 9))
    services.shift_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))
    assert topics(planned, 5) == ["A", "", "B", "B", ""]
    services.pull_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))
    assert topics(planned, 5) == ["A", "B", "B", "C", ""]
    with pytest.raises(ValidationError, match="уже есть тема"):
        services.pull_topics(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 2))


def test_extend_continues_a_topic_into_the_next_lesson_and_moves_the_rest(planned):
    fill(planned, D(2026, 9, 11))
    services.extend_topic(actor=None, lesson=lessons(planned)[0], today=D(2026, 9, 3))
    assert topics(planned) == ["A", "A", "B", "B", "C", "", ""]
    second = lessons(planned)[1]
    assert second.plan_link.extra and second.plan_link.position == 1
    fill(planned, D(2026, 9, 14))
    assert topics(planned) == ["A", "A", "B", "B", "C", "D", ""]


def test_extend_into_a_free_lesson_moves_nothing_else(planned):
    fill(planned, D(2026, 9, 4))
    services.extend_topic(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 3))
    assert topics(planned, 4) == ["A", "B", "B", ""]
    fill(planned, D(2026, 9, 14))
    assert topics(planned, 7) == ["A", "B", "B", "B", "C", "D", ""]


def test_extend_refuses_when_the_next_lesson_has_the_teachers_own_topic(planned):
    fill(planned, D(2026, 9, 4))
    write_in_journal(lessons(planned)[2], topic="Экскурсия")
    with pytest.raises(ValidationError, match="своя тема"):
        services.extend_topic(actor=None, lesson=lessons(planned)[1], today=D(2026, 9, 3))


def test_own_topic_moves_the_plan_topic_to_the_next_lesson_so_no_hour_is_lost(planned):
    fill(planned, D(2026, 9, 11))
    services.set_own_topic(actor=None, lesson=lessons(planned)[2], topic="Экскурсия в музей",
                           today=D(2026, 9, 3))
    assert topics(planned) == ["A", "B", "Экскурсия в музей", "B", "C", "", ""]
    assert [lesson.homework for lesson in lessons(planned)[:5]] == ["", "", "", "§ 2", ""]
    fill(planned, D(2026, 9, 14))
    assert topics(planned) == ["A", "B", "Экскурсия в музей", "B", "C", "D", ""]


def test_own_topic_is_refused_for_a_past_lesson_and_needs_text(planned):
    fill(planned, D(2026, 9, 11))
    with pytest.raises(ValidationError, match="уже прошёл"):
        services.set_own_topic(actor=None, lesson=lessons(planned)[0], topic="Другое", today=D(2026, 9, 3))
    with pytest.raises(ValidationError, match="Укажите тему"):
        services.set_own_topic(actor=None, lesson=lessons(planned)[3], topic="  ", today=D(2026, 9, 3))
