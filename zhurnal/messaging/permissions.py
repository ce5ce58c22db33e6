"""Who may write to whom, who reads which announcement, who handles help requests.

The mail's rule, in one place (``address_book``): what a person may address, given what he is in the school today.
- staff ↔ staff of the school (colleagues; «все сотрудники»);
- the administration (director, deputies, journal administrator) → everyone: every pupil and parent;
- a teacher ↔ the pupils of the groups he teaches and their parents;
- a class teacher → the pupils of his class and their parents;
- a parent → his children's teachers, their class teachers and the administration;
- a pupil → his teachers (and his class teacher);
- parent ↔ parent (of classmates) and pupil ↔ pupil (classmates): only where the school allows it
  (``MessagingSettings``), off by default.
Each direction that one side has, the other has too (a teacher may write to a parent, the parent to the teacher),
so a reply is always allowed to whom the rule lets one write; in a thread, its participants answer each other.

Mail is private: nobody reads a thread he is not in, the administration included. Not visible → 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhurnal.school.roles import Role, SchoolRoles

from .models import (
    Announcement,
    AnnouncementRecipient,
    HelpRequest,
    MessagingSettings,
    Thread,
    ThreadParticipant,
)
from .people import SchoolPeople, school_people

STAFF, STUDENT, GUARDIAN = "staff", "student", "guardian"


@dataclass(frozen=True)
class Contact:
    user_id: int
    name: str
    kind: str  # staff / student / guardian
    detail: str  # «учитель (Математика)», «ученик 5А», «родитель: Иванов Иван, 5А»
    student_ids: tuple[int, ...] = ()  # the children this contact is addressed about (a parent's, a pupil himself)


@dataclass(frozen=True)
class AddressGroup:
    key: str  # "parents:class:12", "teachers:class:12", "students:group:7", "staff:all"
    label: str  # «родители 5А»
    user_ids: frozenset[int]


@dataclass
class AddressBook:
    contacts: dict[int, Contact] = field(default_factory=dict)
    groups: list[AddressGroup] = field(default_factory=list)

    def allows(self, user_ids) -> bool:
        return all(user_id in self.contacts for user_id in user_ids)

    def group(self, key: str) -> AddressGroup | None:
        return next((group for group in self.groups if group.key == key), None)


def school_settings(school) -> MessagingSettings:
    return MessagingSettings.objects.filter(school=school).first() or MessagingSettings(school=school)


def address_book(roles: SchoolRoles, people: SchoolPeople | None = None,
                 settings: MessagingSettings | None = None) -> AddressBook:
    """Everyone ``roles`` may write to in his school today, and the groups he may address at once."""
    book = AddressBook()
    if roles.school is None or not roles.is_member or roles.user_id is None:
        return book
    people = people or school_people(roles.school)
    settings = settings or school_settings(roles.school)
    me = roles.user_id

    def add_staff(staff_ids) -> None:
        for staff_id in staff_ids:
            person = people.staff.get(staff_id)
            if person is not None and person.user_id != me:
                book.contacts.setdefault(person.user_id, Contact(person.user_id, person.name, STAFF,
                                                                 people.staff_label(staff_id)))

    def add_pupils(student_ids, *, with_parents: bool = True) -> None:
        for student_id in sorted(student_ids):
            pupil = people.pupils.get(student_id)
            if pupil is None:
                continue
            if pupil.user_id is not None and pupil.user_id != me:
                book.contacts.setdefault(pupil.user_id, Contact(
                    pupil.user_id, pupil.name, STUDENT, f"обучающийся {people.classes.get(pupil.class_id, '')}",
                    (student_id,)))
            if not with_parents:
                continue
            for guardian_id in people.guardians_of.get(student_id, ()):
                guardian = people.guardians[guardian_id]
                if guardian.user_id == me:
                    continue
                known = book.contacts.get(guardian.user_id)
                children = tuple(sorted({*(known.student_ids if known else ()), student_id}))
                detail = "родитель: " + "; ".join(people.pupil_label(s) for s in children)
                book.contacts[guardian.user_id] = Contact(guardian.user_id, guardian.name, GUARDIAN, detail, children)

    my_staff_id = people.staff_by_user.get(me)
    is_admin = roles.is_school_reader
    if my_staff_id is not None:
        add_staff(people.staff)
        if is_admin:
            add_pupils(people.pupils)
        else:
            add_pupils(people.pupils_of_teacher(my_staff_id))
            for class_id, teacher_id in people.class_teacher.items():
                if teacher_id == my_staff_id:
                    add_pupils(people.class_pupils.get(class_id, ()))
    my_children = {s for g, p in people.guardians.items() if p.user_id == me for s in people.children_of[g]}
    for child_id in sorted(my_children):
        add_staff(people.teachers_of_pupil(child_id))
        add_staff(people.administration())
        if settings.parents_to_parents:
            classmates = people.class_pupils.get(people.pupils[child_id].class_id, set()) - my_children
            for classmate in classmates:
                for guardian_id in people.guardians_of.get(classmate, ()):
                    guardian = people.guardians[guardian_id]
                    if guardian.user_id != me:
                        book.contacts.setdefault(guardian.user_id, Contact(
                            guardian.user_id, guardian.name, GUARDIAN,
                            f"родитель: {people.pupil_label(classmate)}", (classmate,)))
    me_pupil = next((p for p in people.pupils.values() if p.user_id == me), None)
    if me_pupil is not None:
        add_staff(people.teachers_of_pupil(me_pupil.student_id))
        if settings.students_to_students:
            add_pupils(people.class_pupils.get(me_pupil.class_id, set()) - {me_pupil.student_id},
                       with_parents=False)

    if my_staff_id is not None:
        _add_groups(book, people, my_staff_id, is_admin)
    return book


def _add_groups(book: AddressBook, people: SchoolPeople, staff_id: int, is_admin: bool) -> None:
    """The staff's group addresses: «родители 5А», «ученики 5А», «учителя 5А» of the classes he reaches, the
    families of the cross-class groups he teaches, «все сотрудники». Each holds only whom he may write to."""

    def group(key: str, label: str, user_ids) -> None:
        allowed = frozenset(u for u in user_ids if u in book.contacts)
        if allowed:
            book.groups.append(AddressGroup(key, label, allowed))

    def parents_of(student_ids) -> set[int]:
        return {people.guardians[g].user_id for s in student_ids for g in people.guardians_of.get(s, ())}

    def users_of(student_ids) -> set[int]:
        return {user_id for s in student_ids if (user_id := people.pupils[s].user_id) is not None}

    taught_groups = {g for g, teachers in people.group_teachers.items() if staff_id in teachers}
    if is_admin:
        class_ids = set(people.classes)
    else:
        class_ids = {class_id for g in taught_groups if (class_id := people.group_class.get(g))}
        class_ids |= {c for c, t in people.class_teacher.items() if t == staff_id}
    for class_id in sorted(class_ids, key=lambda c: (people.class_grade.get(c, 0), people.classes.get(c, ""))):
        name = people.classes.get(class_id)
        if name is None:
            continue
        pupils = people.class_pupils.get(class_id, set())
        if not is_admin and people.class_teacher.get(class_id) != staff_id:
            pupils = pupils & people.pupils_of_teacher(staff_id)
        group(f"parents:class:{class_id}", f"родители {name}", parents_of(pupils))
        group(f"students:class:{class_id}", f"ученики {name}", users_of(pupils))
        group(f"teachers:class:{class_id}", f"учителя {name}",
              {people.staff[t].user_id for t in people.teachers_of_class(class_id)})
    for group_id in sorted(taught_groups):
        if people.group_class.get(group_id) is None:
            members = people.group_members.get(group_id, set())
            name = people.groups.get(group_id, "")
            group(f"parents:group:{group_id}", f"родители: {name}", parents_of(members))
            group(f"students:group:{group_id}", f"ученики: {name}", users_of(members))
    group("staff:all", "все сотрудники", {person.user_id for person in people.staff.values()})


def may_write(roles: SchoolRoles, user_ids, book: AddressBook | None = None) -> bool:
    """Whether ``roles`` may start a conversation with every one of ``user_ids``."""
    return (book or address_book(roles)).allows(user_ids)


def writes_mail(roles: SchoolRoles) -> bool:
    """The mail's pages: every member of a school has a mailbox."""
    return roles.is_member


def threads_visible_to(roles: SchoolRoles) -> QuerySet[Thread]:
    """The threads he is in: nobody else's, whatever his role."""
    if roles.school is None or roles.user_id is None:
        return Thread.objects.none()
    mine = ThreadParticipant.objects.filter(thread=OuterRef("pk"), user_id=roles.user_id)
    return Thread.objects.filter(school=roles.school).filter(Exists(mine))


# --- announcements ---------------------------------------------------------------------------------------------


def reads_announcements(roles: SchoolRoles) -> bool:
    return roles.is_member


def publishes_announcements(roles: SchoolRoles) -> bool:
    """The administration for the whole school; a class teacher for his class; a teacher for his groups."""
    return roles.is_school_reader or roles.has(Role.TEACHER, Role.CLASS_TEACHER)


def publishes_for_school(roles: SchoolRoles) -> bool:
    return roles.is_school_reader


def announcements_visible_to(roles: SchoolRoles, *, now=None) -> QuerySet[Announcement]:
    """Those published to him and not yet expired; what he wrote; the administration: all of the school's."""
    if roles.school is None or roles.user_id is None:
        return Announcement.objects.none()
    now = now or timezone.now()
    all_of_school = Announcement.objects.filter(school=roles.school)
    if roles.is_school_reader:
        return all_of_school
    addressed = AnnouncementRecipient.objects.filter(announcement=OuterRef("pk"), user_id=roles.user_id)
    live = Q(publish_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return all_of_school.filter(Q(author_id=roles.user_id) | (live & Exists(addressed)))


def can_see_read_report(roles: SchoolRoles, announcement: Announcement) -> bool:
    """Who read it and who has not yet: its author, the administration, the class teacher of its class."""
    if announcement.school_id != getattr(roles.school, "pk", None):
        return False
    return (roles.is_school_reader or announcement.author_id == roles.user_id
            or (announcement.school_class_id is not None and announcement.school_class_id in roles.led_class_ids))


def can_edit_announcement(roles: SchoolRoles, announcement: Announcement) -> bool:
    """Its author, and the administration (unpublishing, pinning)."""
    return announcement.school_id == getattr(roles.school, "pk", None) and (
        roles.is_school_reader or announcement.author_id == roles.user_id)


# --- help desk -----------------------------------------------------------------------------------------------------


def asks_for_help(roles: SchoolRoles) -> bool:
    return roles.is_member


def handles_help_requests(roles: SchoolRoles) -> bool:
    """The school's journal administrator answers the help requests (seed 000)."""
    return roles.has(Role.JOURNAL_ADMIN)


def manages_messaging(roles: SchoolRoles) -> bool:
    """The mail's school settings and the consultation hours: the journal administrator."""
    return roles.has(Role.JOURNAL_ADMIN)


def help_requests_visible_to(roles: SchoolRoles) -> QuerySet[HelpRequest]:
    if roles.school is None or roles.user_id is None:
        return HelpRequest.objects.none()
    requests = HelpRequest.objects.filter(school=roles.school)
    return requests if handles_help_requests(roles) else requests.filter(author_id=roles.user_id)
