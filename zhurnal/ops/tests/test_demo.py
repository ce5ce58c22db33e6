"""The demo school: its shape, its rules, its logins. Built once for the module (it takes seconds)."""

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Concat
from django.urls import reverse

from zhurnal.audit.models import AuditEntry
from zhurnal.ops.demo import (
    CURRICULUM,
    DEMO_PASSWORD,
    LOGINS,
    SPLIT_SUBJECTS,
    DemoBuilder,
    build_demo_school,
    grade_of,
)
from zhurnal.school import selectors
from zhurnal.school.models import (
    Curriculum,
    Enrollment,
    Group,
    GroupKind,
    GroupMembership,
    GuardianLink,
    Holiday,
    InfoChannel,
    JournalKind,
    Movement,
    MovementKind,
    Position,
    ReportingPeriod,
    School,
    SchoolClass,
    StaffMember,
    StaffPosition,
    Student,
    TeachingAssignment,
)
from zhurnal.school.periods import academic_year_start

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_demo_school()
        yield built
        transaction.set_rollback(True)


def last_movement_date(demo) -> dt.date:
    return max(m.date for m in demo.movements)


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_current_academic_year_has_default_periods_and_holidays(demo):
    start = academic_year_start(demo.today)
    assert (demo.year.start, demo.year.end) == (start, dt.date(start.year + 1, 5, 31))
    periods = Counter(ReportingPeriod.objects.filter(school=demo.school).values_list("period_set__kind", flat=True))
    assert periods == {"quarter": 4, "half": 2}
    assert Holiday.objects.filter(year=demo.year).count() >= 5


def test_eleven_grades_with_two_or_three_classes_each(demo):
    grades = Counter(SchoolClass.objects.filter(school=demo.school).values_list("grade", flat=True))
    assert sorted(grades) == list(range(1, 12))
    assert set(grades.values()) <= {2, 3}


def test_about_six_hundred_students_every_one_enrolled_and_with_a_guardian(demo):
    students = Student.objects.filter(school=demo.school)
    assert 550 <= students.count() <= 650
    assert not students.filter(enrollments__isnull=True).exists()
    assert not students.filter(guardian_links__isnull=True).exists()
    per_student = Counter(GuardianLink.objects.filter(school=demo.school).values_list("student_id", flat=True))
    assert set(per_student.values()) == {1, 2}
    on = last_movement_date(demo)
    for school_class in demo.classes.values():
        assert 15 <= selectors.students_in_class(school_class, on).count() <= 30, school_class


def test_siblings_share_guardians_and_a_few_families_chose_paper(demo):
    links = GuardianLink.objects.filter(school=demo.school)
    shared = links.values("guardian").annotate(children=Count("student")).filter(children__gte=2)
    assert shared.count() >= 20
    assert 0 < links.filter(info_channel=InfoChannel.PAPER).count() < links.count() * 0.1


def test_pupils_ages_fit_their_grades(demo):
    first_day = demo.year.start
    for name, roster in demo.rosters.items():
        for student in roster:
            age = (first_day - student.birth_date).days / 365.25
            assert 6.5 <= age - (grade_of(name) - 1) <= 8.1, (name, student.birth_date)


def test_about_45_staff_with_the_administration_and_a_class_teacher_for_every_class(demo):
    assert 40 <= StaffMember.objects.filter(school=demo.school).count() <= 50
    positions = Counter(StaffPosition.objects.filter(school=demo.school).values_list("position", flat=True))
    assert (positions[Position.DIRECTOR], positions[Position.DEPUTY], positions[Position.JOURNAL_ADMIN],
            positions[Position.CLERK]) == (1, 2, 1, 1)
    assert positions[Position.TEACHER] >= 30
    leaders = [c.class_teacher_id for c in demo.classes.values()]
    assert None not in leaders
    assert len(set(leaders)) == len(leaders)


def test_every_class_has_one_teacher_per_curriculum_subject_or_subgroup(demo):
    hours = {(row.grade, row.subject_id): row.hours_per_week
             for row in Curriculum.objects.filter(year=demo.year)}
    taught: dict[tuple[int, int], list] = {}
    for a in TeachingAssignment.objects.filter(year=demo.year).select_related("group"):
        taught.setdefault((a.group_id, a.subject_id), []).append(a)
    for name, school_class in demo.classes.items():
        for key in CURRICULUM[school_class.grade]:
            subject = demo.subjects[key]
            expected = hours[(school_class.grade, subject.pk)]
            if key in SPLIT_SUBJECTS:
                groups = demo.subgroups[(name, key)]
                assert (demo.class_groups[name].pk, subject.pk) not in taught
            else:
                groups = (demo.class_groups[name],)
            for group in groups:
                assignments = taught.get((group.pk, subject.pk), [])
                assert len(assignments) == 1, (name, key, group)
                assert assignments[0].hours_per_week == expected
    in_curriculum = {(g.pk, demo.subjects[k].pk) for n, g in demo.class_groups.items()
                     for k in CURRICULUM[grade_of(n)]}
    whole_class_ids = {g.pk for g in demo.class_groups.values()}
    assert {k for k in taught if k[0] in whole_class_ids} <= in_curriculum


def test_teachers_carry_a_realistic_weekly_load(demo):
    loads = (TeachingAssignment.objects.filter(year=demo.year).exclude(teacher=demo.staff["zavuch"])
             .values("teacher").annotate(hours=Sum("hours_per_week")))
    assert len(loads) >= 30
    for row in loads:
        assert 18 <= row["hours"] <= 27, row


def test_language_and_informatics_subgroups_split_each_class_exactly(demo):
    expected = {(n, "eng") for n in demo.classes if grade_of(n) >= 2}
    expected |= {(n, "inf") for n in demo.classes if grade_of(n) >= 7}
    assert set(demo.subgroups) == expected
    for on in (demo.year.start, last_movement_date(demo)):
        for (name, _), (first, second) in demo.subgroups.items():
            whole = pks(selectors.students_in_class(demo.classes[name], on))
            one, two = pks(selectors.group_members(first, on)), pks(selectors.group_members(second, on))
            assert one | two == whole, (name, on)
            assert not one & two
            assert abs(len(one) - len(two)) <= 2


def test_cross_class_groups_of_every_kind_have_a_teacher_and_members(demo):
    groups = Group.objects.filter(year=demo.year, kind=GroupKind.CROSS)
    assert set(groups.values_list("journal_kind", flat=True)) == {
        JournalKind.ELECTIVE, JournalKind.EXTRA_EDUCATION, JournalKind.EXTRACURRICULAR, JournalKind.EXTENDED_DAY}
    on = last_movement_date(demo)
    for group in groups:
        assert group.assignments.count() == 1
        members = selectors.group_members(group, on)
        grades = {selectors.class_of_student_on(s, on).grade for s in members}
        assert members.count() >= 10
        assert len(grades) >= 2
    assert {selectors.class_of_student_on(s, on).grade
            for s in selectors.group_members(demo.cross_groups["gpd"], on)} <= {1, 2}
    assert {selectors.class_of_student_on(s, on).grade
            for s in selectors.group_members(demo.cross_groups["elective"], on)} <= {10, 11}


def test_pupil_movement_during_the_year_has_orders_and_keeps_lists_right(demo):
    moves = Movement.objects.filter(school=demo.school, date__gt=demo.year.start)
    assert Counter(moves.values_list("kind", flat=True)) == {
        MovementKind.ARRIVAL: 2, MovementKind.TRANSFER: 1, MovementKind.GROUP_TRANSFER: 1, MovementKind.DEPARTURE: 1}
    orders = [m.order_number for m in moves]
    assert all(orders) and len(set(orders)) == len(orders)
    for move in moves:  # orders are signed on school days
        assert move.date.weekday() < 5
        assert not Holiday.objects.filter(year=demo.year, start__lte=move.date, end__gte=move.date).exists()
    departure = moves.get(kind=MovementKind.DEPARTURE)
    assert selectors.class_of_student_on(departure.student, departure.date) is None
    assert not GroupMembership.objects.filter(selectors.active_on(departure.date), student=departure.student).exists()
    transfer = moves.get(kind=MovementKind.TRANSFER)
    assert selectors.class_of_student_on(transfer.student, transfer.date) == transfer.to_class
    for arrival in moves.filter(kind=MovementKind.ARRIVAL):
        assert Enrollment.objects.get(student=arrival.student).start == arrival.date


SCHOOL_VERBS = {"school.create", "year.create", "periodset.create", "subject.create", "curriculum.set",
                "staff.create", "class.create", "group.create", "assignment.create", "student.create",
                "guardian.create", "guardian.link", "group.add", "movement.arrival", "movement.transfer",
                "movement.group_transfer", "movement.departure"}


def test_the_build_fills_the_audit_log_and_sets_the_school_up_in_the_administrators_name(demo):
    entries = AuditEntry.objects.filter(school=demo.school)
    assert set(entries.values_list("verb", flat=True)) >= SCHOOL_VERBS
    structure = entries.filter(verb__in=SCHOOL_VERBS)
    assert structure.count() > 3 * Student.objects.filter(school=demo.school).count()
    # Later steps write as the teachers who keep the journal; the school itself is set up by the administrator.
    assert set(structure.values_list("actor__username", flat=True)) == {"admin"}


def test_the_same_seed_gives_the_same_staff_and_load(demo):
    # Every step draws from its own seeded stream (the name generator's determinism is tested on its own);
    # rebuild the first steps beside the demo, its logins and slug moved aside in a savepoint, and compare.
    with transaction.atomic():
        get_user_model().objects.filter(username__in=LOGINS).update(username=Concat(F("username"), Value("-1")))
        School.objects.filter(pk=demo.school.pk).update(slug="demo-1")
        again = DemoBuilder(today=demo.today).build(until="load")
        assert {k: s.full_name for k, s in again.staff.items()} == {k: s.full_name for k, s in demo.staff.items()}
        assert again.load_plan == demo.load_plan[: len(again.load_plan)]
        assert again.class_teachers == demo.class_teachers
        transaction.set_rollback(True)


def test_a_partial_build_stops_after_the_named_step():
    with pytest.raises(ValueError, match="unknown demo step"):
        DemoBuilder().build(until="marks")


STAFF_START_PAGES = {
    "admin": lambda demo: reverse("school:setup"),
    "director": lambda demo: reverse("school:class_list"),
    "zavuch": lambda demo: reverse("school:class_list"),
    "klassruk": lambda demo: reverse("school:class_detail", args=[demo.classes["5А"].pk]),
    "uchitel": lambda demo: reverse("journal:today"),  # «Мой день»: the teacher's start page
}


@pytest.mark.parametrize("username", LOGINS)
def test_each_demo_login_signs_in_with_the_demo_password_and_lands_on_its_start_page(demo, client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert page.status_code == 200
    landed = page.redirect_chain[-1][0]
    if username in STAFF_START_PAGES:
        assert landed == STAFF_START_PAGES[username](demo)
    else:
        # Families land on the diary (its own app decides where); their own pages are checked below.
        assert landed != reverse("core:no_roles")
    text = page.content.decode()
    if username == "klassruk":
        assert "5А" in text
    if username == "uchitel":
        assert "5А" in text and "Математика" in text
    if username == "uchenik":
        own = client.get(reverse("school:me")).content.decode()
        assert demo.personas["uchenik"].person.full_name in own
        assert "5А" in own
    if username == "roditel":
        children = Student.objects.filter(guardian_links__guardian=demo.personas["roditel"].person)
        assert children.count() == 2
        own = client.get(reverse("school:children")).content.decode()
        for child in children:
            assert child.full_name in own
        assert "5А" in own and "8Б" in own


def test_demo_logins_refuse_a_wrong_password(demo, client):
    response = client.post(reverse("accounts:login"), {"username": "klassruk", "password": "zhurnal2025"})
    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")


def test_demo_command_prints_the_seven_logins_of_an_existing_demo(demo):
    out = StringIO()
    call_command("demo", no_serve=True, no_migrate=True, stdout=out)
    text = out.getvalue()
    assert "уже есть" in text
    for username in LOGINS:
        assert re.search(rf"^{username}\s+{DEMO_PASSWORD}\s+\S", text, re.M), username
    assert "классный руководитель 5А" in text


def test_each_persona_has_a_mailbox_and_an_announcement_waits_for_acknowledgements(demo):
    from django.contrib.auth import get_user_model

    from zhurnal.messaging import selectors
    from zhurnal.school.roles import roles_in

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["admin", "director", "zavuch", "klassruk", "uchitel", "uchenik", "roditel"])}
    for username, user in users.items():
        assert selectors.inbox(roles_in(user, demo.school)), f"{username}: empty inbox"
    meeting = next(a for a in demo.messaging.announcements if a.title == "Родительское собрание 5А")
    report = selectors.read_report(meeting)
    assert report.pending and report.acknowledged
    assert len(demo.messaging.requests) == 2


def test_the_persona_family_has_notifications_settings_and_a_digest_waiting_and_history_told_nobody(demo, settings,
                                                                                                   tmp_path):
    from zhurnal.notifications import selectors
    from zhurnal.notifications.models import Delivery, Notification, NotificationSettings

    mother, boy = demo.personas["roditel"].user, demo.personas["uchenik"].user
    assert NotificationSettings.objects.filter(user__in=[mother, boy]).count() == 2
    assert selectors.notifications_of(mother).filter(kind="mark").exists()
    assert "у " in selectors.notifications_of(mother).filter(kind="mark").first().title  # the child is named
    assert demo.notifications.held_for_digest == Delivery.objects.filter(user=mother, status="held").count()
    # The school's months of marks were built with the events muted: only the persona family was told.
    family = {reader.user_id for reader in selectors.family_readers([demo.personas["uchenik"].person.pk])}
    assert {mother.pk, boy.pk} <= family
    assert set(Notification.objects.values_list("user_id", flat=True)) <= family
    out = StringIO()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    call_command("demo", no_serve=True, no_migrate=True, stdout=out)
    assert f"Письма не уходят с компьютера: они записываются в файлы в папке {tmp_path / 'outbox'}" in out.getvalue()
