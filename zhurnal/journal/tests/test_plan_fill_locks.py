"""The КТП writes lesson topics only where a teacher's own edit would be accepted: the journal registers its
period lock with the plan (``planning.sequence.register_topic_guard``), so a fill into a closed period is refused
with the teacher's message, and what the fill does write is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhurnal.audit.models import AuditEntry
from zhurnal.journal import locks, selectors
from zhurnal.journal import services as journal
from zhurnal.journal.policies import policy_for
from zhurnal.planning import services as planning
from zhurnal.planning.exchange import TopicItem
from zhurnal.planning.tests.conftest import ktp  # noqa: F401 - the fixture
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def test_a_fill_into_a_closed_period_is_refused_like_a_teachers_edit_and_the_rest_is_audited(ktp):  # noqa: F811
    s = ktp
    journal.ensure_journal_setup(school=s.school)
    planning.import_plan(actor=None, assignment=s.math_5a,
                         items=[TopicItem(f"Тема {n}", 1, homework=f"§ {n}") for n in range(1, 80)])
    first, second = selectors.assignment_periods(s.math_5a)[:2]
    closes_after = locks.period_lock(first, policy=policy_for(s.school, first.end), today=first.end).closes_after
    today = max(closes_after, second.start) + dt.timedelta(days=14)
    in_closed = list(Lesson.objects.filter(assignment=s.math_5a, date__lte=first.end).order_by("date", "number"))
    after = list(Lesson.objects.filter(assignment=s.math_5a, date__gt=first.end, date__lte=today)
                 .order_by("date", "number"))
    assert in_closed and after

    with pytest.raises(ValidationError) as teacher_edit:
        journal.save_lesson_record(actor=s.users["teacher"], lesson=in_closed[0], topic="Своя тема", today=today)
    refusal = teacher_edit.value.message_dict["lesson"][0]

    result = planning.fill_topics_from_plan(actor=s.users["teacher"], assignment=s.math_5a, until=today,
                                            today=today)

    assert [(lesson.pk, reason) for lesson, reason in result.skipped] == [(lesson.pk, refusal) for lesson in in_closed]
    assert set(Lesson.objects.filter(pk__in=[lesson.pk for lesson in in_closed]).values_list("topic", flat=True)) == {""}
    assert [lesson.pk for lesson in result.filled] == [lesson.pk for lesson in after]
    audited = AuditEntry.objects.filter(verb="lesson.topic_from_plan", target_id__in=[str(lesson.pk) for lesson in after])
    assert audited.count() == len(after)
    assert {entry.after["topic"] for entry in audited} == {f"Тема {n}" for n in range(1, len(after) + 1)}
