"""Read pages of the school: classes, class lists, students, staff, movement, and the family's own pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from zhurnal.core.view_helpers import require, school_view, scoped

from .. import permissions, selectors
from ..access.log import AccessKind, note_reading
from ..models import GroupKind, Student
from ..roles import Role
from .common import year_and_date


@school_view
def class_list(request):
    year, on = year_and_date(request)
    classes = permissions.classes_visible_to(request.roles).filter(year=year)
    rows = selectors.class_list(year, on).filter(pk__in=classes.values("pk"))
    return render(request, "school/class_list.html", {
        "year": year, "on": on, "classes": rows, "years": request.roles.school.years.all(),
        "total": sum(row.student_count for row in rows),
    })


@school_view
def class_detail(request, pk: int):
    school_class = scoped(permissions.classes_visible_to(request.roles).select_related("year", "class_teacher"), pk=pk)
    year = school_class.year
    _, on = year_and_date(request) if request.GET.get("on") else (year, selectors.default_date(year))
    on = min(max(on, year.start), year.end)
    roster = list(selectors.class_roster(school_class, on))
    return render(request, "school/class_detail.html", {
        "school_class": school_class, "on": on, "roster": roster,
        "groups": selectors.class_groups(school_class),
        "periods": selectors.periods_for_grade(year, school_class.grade),
        "can_edit": permissions.can_edit_class(request.roles, school_class),
        "can_edit_students": request.roles.has(Role.JOURNAL_ADMIN) or pk in request.roles.led_class_ids,
        "can_export": permissions.can_view_setup(request.roles) or pk in request.roles.led_class_ids,
        # The class teacher and the administration: the families' contacts and each pupil's diary.
        "can_contact": request.roles.is_school_reader or pk in request.roles.led_class_ids,
    })


@school_view
def group_detail(request, pk: int):
    group = scoped(permissions.groups_visible_to(request.roles).select_related("school_class", "subject", "year"),
                   pk=pk)
    year = group.year
    on = selectors.default_date(year)
    members = list(selectors.group_members(group, on).annotate(class_name=selectors._class_name_on(on)))
    return render(request, "school/group_detail.html", {
        "group": group, "on": on, "members": members,
        "assignments": group.assignments.select_related("teacher", "subject"),
        "is_class_group": group.kind == GroupKind.CLASS,
    })


@school_view
def student_list(request):
    require(permissions.can_read_people(request.roles))
    year, on = year_and_date(request)
    search = request.GET.get("q", "")
    departed = request.GET.get("departed") == "1"
    students = selectors.student_list(request.roles.school, on, search=search, include_departed=departed)
    page = Paginator(students, 100).get_page(request.GET.get("page"))
    return render(request, "school/student_list.html", {
        "year": year, "on": on, "page": page, "q": search, "departed": departed,
    })


@school_view
def student_detail(request, pk: int):
    student = scoped(permissions.students_visible_to(request.roles), pk=pk)
    if request.roles.staff is not None:  # a family reading its own card is no third party's access
        note_reading(request, AccessKind.STUDENT_CARD, f"Карточка обучающегося: {student.full_name}", target=student)
    return render(request, "school/student_detail.html", _student_context(request, student))


def _student_context(request, student: Student) -> dict:
    year = selectors.current_year(request.roles.school)
    on = selectors.default_date(year) if year else None
    school_class = selectors.class_of_student_on(student, on) if on else None
    group_ids = selectors.groups_of_student_on(student, on) if on else []
    assignments = selectors.assignments_of_groups(group_ids).order_by("subject__name")
    guardians = student.guardian_links.select_related("guardian").order_by("guardian__last_name")
    return {
        "student": student, "on": on, "school_class": school_class, "assignments": assignments,
        "guardians": guardians, "history": selectors.student_history(student),
        "can_edit": permissions.can_edit_student(request.roles, student),
        "show_personal": request.roles.is_school_reader or permissions.can_edit_student(request.roles, student)
        or student.pk in request.roles.child_ids
        or (request.roles.student is not None and request.roles.student.pk == student.pk),
    }


@school_view
def staff_list(request):
    require(permissions.can_read_people(request.roles))
    staff = selectors.staff_list(request.roles.school)
    return render(request, "school/staff_list.html", {"staff": staff})


@school_view
def movement_log(request):
    require(permissions.can_read_people(request.roles))
    year, _ = year_and_date(request)
    movements = selectors.movement_log(request.roles.school, year)
    page = Paginator(movements, 100).get_page(request.GET.get("page"))
    return render(request, "school/movement_log.html", {"year": year, "page": page,
                                                         "can_record": permissions.can_record_movement(request.roles)})


@school_view
def my_groups(request):
    require(permissions.teaches(request.roles))
    year, on = year_and_date(request)
    assignments = (
        permissions.assignments_visible_to(request.roles)
        .filter(teacher=request.roles.staff, year=year)
        .select_related("subject", "group", "group__school_class")
        .order_by("group__school_class__grade", "group__school_class__letter", "group__name", "subject__name")
    )
    return render(request, "school/my_groups.html", {"year": year, "on": on, "assignments": assignments})


@school_view
def children(request):
    require(permissions.is_guardian(request.roles))
    kids = Student.objects.filter(pk__in=request.roles.child_ids).order_by("last_name", "first_name")
    year = selectors.current_year(request.roles.school)
    on = selectors.default_date(year) if year else None
    cards = [_student_context(request, kid) for kid in kids]
    return render(request, "school/children.html", {"cards": cards, "on": on})


@school_view
def me(request):
    require(permissions.is_student(request.roles))
    return render(request, "school/student_detail.html",
                  {**_student_context(request, request.roles.student), "is_self": True})
