"""Announcements and events: readers fixed at publication, read status, «Ознакомлен», the read report, dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhurnal.core import events
from zhurnal.messaging import selectors, services
from zhurnal.messaging.models import AnnouncementRecipient
from zhurnal.school.roles import roles_in


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish as the page does, and let the transaction commit: the queue's job writes the readers then."""

    def run(s, author, **fields):
        values = {"title": "Родительское собрание", "body": "В четверг в 18:00, каб. 214.", "audience": "class",
                  "school_class": s.class_5a, "to_parents": True, **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return services.publish_announcement(actor=s.users[author], roles=roles_in(s.users[author], s.school),
                                                 **values)

    return run


def test_parent_acknowledges_and_the_class_teacher_sees_who_has_not(small_school, login, publish):
    s = small_school
    item = publish(s, "class_teacher", requires_ack=True)
    report = selectors.read_report(item)
    assert report.total == 1 and [r.user_id for r in report.pending] == [s.users["guardian"].pk]
    parent = login("guardian")
    page = parent.get(reverse("messaging:announcement", args=[item.pk]))
    assert page.status_code == 200 and 'id="acknowledge"' in page.content.decode()
    assert parent.post(reverse("messaging:announcement_acknowledge", args=[item.pk])).status_code == 302
    row = AnnouncementRecipient.objects.get(announcement=item)
    assert row.read_at is not None and row.acknowledged_at is not None
    teacher = login("class_teacher")
    html = teacher.get(reverse("messaging:announcement_report", args=[item.pk])).content.decode()
    assert "подтвердили «Ознакомлен»: <b>1</b>" in html


def test_readers_follow_the_audience(small_school, publish):
    s = small_school
    users = {v.pk: k for k, v in s.users.items()}
    to_school = publish(s, "director", audience="school", school_class=None, to_staff=True, to_students=True,
                        to_parents=True)
    readers = {users[u] for u in to_school.recipients.values_list("user_id", flat=True)}
    assert readers == {"admin", "deputy", "class_teacher", "teacher", "other_teacher", "student", "other_student",
                       "guardian", "other_guardian"}
    to_5a_staff = publish(s, "admin", to_parents=False, to_staff=True)
    assert {users[u] for u in to_5a_staff.recipients.values_list("user_id", flat=True)} == {"class_teacher",
                                                                                           "teacher"}


def test_who_may_publish_where(small_school, publish):
    s = small_school
    with pytest.raises(ValidationError):
        publish(s, "class_teacher", school_class=s.class_5b)  # not his class
    with pytest.raises(ValidationError):
        publish(s, "teacher", audience="school", school_class=None)
    with pytest.raises(PermissionDenied):
        publish(s, "guardian")
    with pytest.raises(ValidationError):
        publish(s, "class_teacher", to_parents=False)
    assert not AnnouncementRecipient.objects.exists()


def test_other_families_never_see_it(small_school, login, publish):
    s = small_school
    item = publish(s, "class_teacher")
    for persona in ("other_guardian", "other_student", "student", "other_teacher"):
        assert login(persona).get(reverse("messaging:announcement", args=[item.pk])).status_code == 404, persona


def test_a_later_publication_is_told_when_its_time_comes(small_school, django_capture_on_commit_callbacks, publish):
    s = small_school
    told = []
    events.subscribe("messaging.announcement_published", told.append)
    try:
        later = timezone.now() + dt.timedelta(days=1)
        item = publish(s, "class_teacher", publish_at=later)
        guardian = roles_in(s.users["guardian"], s.school)
        assert selectors.announcement_list(guardian) == []
        assert services.announce_when_due(announcement_id=item.pk) is False
        with django_capture_on_commit_callbacks(execute=True):
            assert services.announce_when_due(announcement_id=item.pk, now=later) is True
            assert services.announce_when_due(announcement_id=item.pk, now=later) is False
        assert [e.data["announcement_id"] for e in told] == [item.pk]
        assert told[0].data["recipient_user_ids"] == [s.users["guardian"].pk]
    finally:
        events.unsubscribe("messaging.announcement_published", told.append)


def test_expired_and_pinned(small_school, publish):
    s = small_school
    now = timezone.now()
    first = publish(s, "class_teacher", title="Первое")
    pinned = publish(s, "class_teacher", title="Закреплённое", pinned=True)
    publish(s, "class_teacher", title="Старое", publish_at=now - dt.timedelta(days=3),
            expires_at=now - dt.timedelta(days=1))
    guardian = roles_in(s.users["guardian"], s.school)
    assert [r.announcement.pk for r in selectors.announcement_list(guardian)][:2] == [pinned.pk, first.pk]
    assert "Старое" not in [r.announcement.title for r in selectors.announcement_list(guardian)]
    with pytest.raises(ValidationError):
        publish(s, "class_teacher", publish_at=now, expires_at=now - dt.timedelta(hours=1))


def test_a_regulation_keeps_its_acknowledgements(small_school, publish):
    s = small_school
    item = publish(s, "director", audience="school", school_class=None, to_staff=True, is_regulation=True,
                   title="Положение о ведении электронного журнала")
    assert item.requires_ack
    services.acknowledge_announcement(actor=s.users["teacher"], announcement=item)
    from zhurnal.audit.models import AuditEntry

    assert AuditEntry.objects.filter(verb="messaging.acknowledged", actor=s.users["teacher"]).count() == 1


def test_the_list_makes_constant_queries(small_school, login, publish):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = small_school
    publish(s, "class_teacher")
    client = login("guardian")
    client.get(reverse("messaging:announcements"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("messaging:announcements"))
    for n in range(6):
        publish(s, "class_teacher", title=f"Объявление {n}", requires_ack=n % 2 == 0)
        publish(s, "director", audience="school", school_class=None, title=f"Школе {n}", to_students=True)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("messaging:announcements"))
    assert page.content.decode().count("<h2>") == 13
    assert len(large) == len(small)
