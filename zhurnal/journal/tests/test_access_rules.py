"""The checks made on one object at hand agree with the querysets that list what a user may see.

The grid and the cell saves check access without a query (``can_read_assignment``, ``can_see_lesson``); the lists
filter with ``assignments_visible_to`` and ``lessons_visible_to``. Each pair states one rule twice, so here every
persona of the small school — with a subgroup, a cross-class group, a substitution and a planned-teacher change
added — gets the same answer from both for every assignment and lesson of both schools.
"""

import pytest
from django.contrib.auth import get_user_model

from zhurnal.journal import permissions
from zhurnal.journal.testing import make_lessons
from zhurnal.school.models import Group, GroupKind, GroupMembership, School, TeachingAssignment
from zhurnal.school.roles import roles_in
from zhurnal.school.selectors import assignment_of
from zhurnal.school.testing import class_group, make_assignment, make_subject
from zhurnal.timetable.models import Lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(journal):
    small = journal.school
    staff, year = small.staff, small.year
    english = make_subject(small.school, "Английский язык")
    subgroup = Group.objects.create(school=small.school, year=year, name="5А англ. 1", kind=GroupKind.SUBGROUP,
                                    school_class=small.class_5a, subject=english)
    cross = Group.objects.create(school=small.school, year=year, name="Хор 5-х", kind=GroupKind.CROSS)
    GroupMembership.objects.create(school=small.school, group=subgroup, student=small.students["student"],
                                   start=year.start)
    GroupMembership.objects.create(school=small.school, group=cross, student=small.students["other_student"],
                                   start=year.start)
    for teacher, group in ((staff["other_teacher"], subgroup), (staff["admin"], cross)):
        make_lessons(make_assignment(teacher, english, group), 2, start=year.start, numbers=(6,))
    substituted, planned = journal.lessons[0], journal.lessons[1]
    Lesson.objects.filter(pk=substituted.pk).update(actual_teacher=staff["other_teacher"])
    Lesson.objects.filter(pk=planned.pk).update(planned_teacher=staff["other_teacher"], actual_teacher=staff["teacher"])
    other = small.other_school
    make_lessons(make_assignment(staff["other_school_admin"], make_subject(other, "Математика"),
                                 class_group(small.other_class)), 1, start=small.other_year.start)
    return small


def _personas(small):
    users = get_user_model().objects.filter(username__in=small.users)
    for user in users:
        for school in School.objects.all():
            yield user.username, school, roles_in(user, school)


def test_one_assignment_is_readable_exactly_when_the_list_holds_it(mixed):
    checked = 0
    for username, school, roles in _personas(mixed):
        listed = set(permissions.assignments_visible_to(roles).values_list("pk", flat=True))
        for pk in TeachingAssignment.objects.values_list("pk", flat=True):
            assignment = assignment_of(school, pk) or TeachingAssignment.objects.select_related("group").get(pk=pk)
            assert permissions.can_read_assignment(roles, assignment) is (pk in listed), (username, school, pk)
            checked += pk in listed
    assert checked > 10  # the fixture gives most personas something to read


def test_one_lesson_is_visible_exactly_when_the_list_holds_it(mixed):
    lessons = list(Lesson.objects.select_related("assignment__group"))
    checked = 0
    for username, school, roles in _personas(mixed):
        listed = set(permissions.lessons_visible_to(roles).values_list("pk", flat=True))
        for lesson in lessons:
            assert permissions.can_see_lesson(roles, lesson) is (lesson.pk in listed), (username, school, lesson.pk)
            checked += lesson.pk in listed
    assert checked > 100
