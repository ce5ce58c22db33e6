import pytest


def build_family(small_school):
    """The small school's 5А maths with a lesson on every school day (the first), the parent, the pupil and the
    teacher with e-mail addresses: (maths assignment, its lessons)."""
    from zhurnal.journal import services
    from zhurnal.school.models import TeachingAssignment
    from zhurnal.school.testing import class_group
    from zhurnal.timetable.models import Lesson
    from zhurnal.timetable.testing import put

    services.ensure_journal_setup(school=small_school.school)
    maths = TeachingAssignment.objects.select_related("group__school_class", "subject").get(
        group=class_group(small_school.class_5a), subject=small_school.math)
    for weekday in range(1, 6):
        put(maths, weekday, 1)
    users = small_school.users
    for name, address in (("guardian", "mama@example.org"), ("student", "ivan@example.org"),
                          ("teacher", "teacher@example.org"), ("other_guardian", "petrova@example.org")):
        users[name].email = address
        users[name].save(update_fields=["email"])
    return maths, list(Lesson.objects.filter(assignment=maths).select_related("assignment").order_by("date"))


@pytest.fixture
def family(small_school):
    return build_family(small_school)
