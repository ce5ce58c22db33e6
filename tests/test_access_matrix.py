"""The access matrix: every URL of the project, as every persona, gets the answer the rules give.

URLs are discovered from the URL configuration (``admin/`` and static files aside), so a new page fails here
until its line in ``EXPECTED`` says who may open it. Each line names the world objects for the URL's arguments
(see ``tests/matrix_world.py``) and the status every persona gets for a GET:

    "school:class_detail": case({"pk": "class_5a"}, see(ADMINISTRATION | {"teacher", "class_teacher"})),

``see(ok)`` gives 200 to the personas in ``ok`` and 404 to everyone else logged in (``rest=403`` when the page
exists for them but is not allowed), anonymous visitors go to the login page; ``everyone(status)`` gives all
the same answer; keyword arguments set single personas. Pages that only take POST answer a GET with 405
(``post_only()``).

Forged ids: wherever an argument is an object that has a counterpart in the other school (its class, pupil,
lesson, …) or in another family (the other child), the same URL is requested with the counterpart's id. Whoever
may see the real object must get 404 for the forged one, nobody gets anything but 403/404, and the page never
names the other school's or the other family's people. POST-only URLs are forged with an empty POST.

Every HTML page that answers 200 is also checked: each POST form carries the CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import build_world

LOGIN = "login"  # a redirect to the login page
LOGGED_IN = ("teacher", "other_teacher", "class_teacher", "deputy", "director", "admin", "student", "other_student",
             "guardian", "other_guardian", "other_school_admin")
PERSONAS = (*LOGGED_IN, "anonymous")

ADMINISTRATION = frozenset({"admin", "director", "deputy"})
# On pages about "my school" without an object in the URL, the other school's administrator sees his own school.
ANY_ADMINISTRATION = ADMINISTRATION | {"other_school_admin"}
DEPUTY_AND_DIRECTOR = frozenset({"deputy", "director"})
SCHOOL_ONE_STAFF = ADMINISTRATION | {"teacher", "other_teacher", "class_teacher"}
STAFF = SCHOOL_ONE_STAFF | {"other_school_admin"}
FAMILIES = frozenset({"student", "other_student", "guardian", "other_guardian"})
CLASS_TEACHERS = frozenset({"class_teacher", "other_teacher", "other_school_admin"})  # of 5А, 5Б, the other 5А
TEACHING = frozenset({"teacher", "other_teacher", "class_teacher", "admin", "other_school_admin"})
OWN_CHILD = frozenset({"student", "guardian"})  # the 5А pupil and his parent
SCHOOL_ONE = frozenset(LOGGED_IN) - {"other_school_admin"}


def see(ok=frozenset(), *, status=200, rest=404, anonymous=LOGIN, **exact) -> dict:
    table = {p: (status if p in ok else rest) for p in LOGGED_IN}
    table["anonymous"] = anonymous
    unknown = set(exact) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    table.update(exact)
    return table


def everyone(status, *, anonymous=LOGIN) -> dict:
    return see(frozenset(LOGGED_IN), status=status, anonymous=anonymous)


def post_only(*, anonymous=LOGIN) -> dict:
    return everyone(405, anonymous=anonymous)


@dataclass(frozen=True)
class Case:
    args: dict = field(default_factory=dict)  # URL kwarg → world key, or "=literal"
    expect: dict = field(default_factory=dict)
    post_only: bool = False  # forged ids are tried with a POST

    @property
    def forgeable(self) -> list[tuple[str, str]]:
        return [(kwarg, key) for kwarg, key in self.args.items() if key in FORGERIES]


def case(args: dict | None = None, expect: dict | None = None, *, post: bool = False) -> Case:
    expect = expect if expect is not None else post_only()
    return Case(args=args or {}, expect=expect, post_only=post or all(v == 405 for k, v in expect.items()
                                                                         if k != "anonymous"))


OTHER_SCHOOL_NAMES = ("Сидоров", "Чужова", "Школа № 2")
OTHER_FAMILY_NAMES = ("Петров Иван", "Петров И.")
# world key → [(forged world key, names that must not appear, personas it is forged for)]
FORGERIES: dict[str, list[tuple[str, tuple[str, ...], frozenset]]] = {
    "class_5a": [("other_class", OTHER_SCHOOL_NAMES, SCHOOL_ONE), ("class_5b", OTHER_FAMILY_NAMES, OWN_CHILD)],
    "student": [("other_school_student", OTHER_SCHOOL_NAMES, SCHOOL_ONE),
                ("other_student", OTHER_FAMILY_NAMES, OWN_CHILD)],
    "group_5a": [("other_school_group", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "math_5a": [("other_school_assignment", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "math_lesson": [("other_school_lesson", OTHER_SCHOOL_NAMES, SCHOOL_ONE),
                    ("math_5b_lesson", OTHER_FAMILY_NAMES, OWN_CHILD)],
    "guardian_link": [("other_school_guardian_link", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "user_guardian": [("user_other_school_guardian", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "thread": [("other_family_thread", OTHER_FAMILY_NAMES, OWN_CHILD),
               ("other_school_thread", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "announcement": [("other_family_announcement", OTHER_FAMILY_NAMES, OWN_CHILD),
                     ("other_school_announcement", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "help_request": [("other_family_help_request", OTHER_FAMILY_NAMES, OWN_CHILD),
                     ("other_school_help_request", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
    "consultation_slot": [("other_school_consultation_slot", OTHER_SCHOOL_NAMES, SCHOOL_ONE)],
}

def _report_audiences() -> list[tuple[str, str]]:
    from zhurnal.reports import catalog, permissions

    kinds = {permissions.can_read_class_reports: "class", permissions.can_read_teacher_reports: "subject",
             permissions.can_read_school_reports: "school", permissions.can_read_control: "control"}
    return [(spec.key, kinds[spec.allowed]) for spec in catalog.ALL.values()]


# Class reports: the class teachers and the administration; a subject teacher's: whoever teaches and the
# administration (the other school's administrator teaches there); school reports: the administration; the control
# of journal filling: the deputy and the director.
REPORT_READERS = {
    "class": ANY_ADMINISTRATION | CLASS_TEACHERS,
    "subject": STAFF,
    "school": ANY_ADMINISTRATION,
    "control": DEPUTY_AND_DIRECTOR,
}
REPORT_AUDIENCES = _report_audiences()

EXPECTED: dict[str, Case] = {
    # --- core ----------------------------------------------------------------------------------------------
    "core:home": case(expect=everyone(302)),  # to each role's start page
    "core:no_roles": case(expect=everyone(200)),
    "core:health": case(expect=everyone(200, anonymous=200)),
    "core:signed_in_again": case(expect=everyone(200)),  # where a new login from the journal's banner lands
    # --- accounts ------------------------------------------------------------------------------------------
    "accounts:login": case(expect=everyone(302, anonymous=200)),
    "accounts:login_verify": case(expect=everyone(LOGIN)),  # nothing pending: back to the login page
    "accounts:activate": case(expect=everyone(200, anonymous=200)),
    "accounts:logout": case(expect=post_only(anonymous=405)),
    "accounts:switch_school": case(expect=post_only(anonymous=405)),
    "accounts:security": case(expect=everyone(200)),
    "accounts:password_change": case(expect=everyone(200)),
    "accounts:end_sessions": case(),
    "accounts:two_factor_setup": case(expect=everyone(200)),
    "accounts:recovery_codes": case(),
    "accounts:two_factor_disable": case(),
    "school:access": case(expect=see(ANY_ADMINISTRATION | CLASS_TEACHERS, rest=403)),
    "school:class_access": case({"pk": "class_5a"}, see(ADMINISTRATION | {"class_teacher"})),
    "school:class_issue": case({"pk": "class_5a"}, see(ADMINISTRATION | {"class_teacher"}, status=405),
                                 post=True),
    "school:staff_access": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:staff_issue": case(expect=see(ANY_ADMINISTRATION, status=405, rest=403), post=True),
    "school:guardian_link": case({"pk": "guardian_link"}, see(ADMINISTRATION | {"class_teacher"}, status=405),
                                   post=True),
    "school:person": case({"pk": "user_guardian"}, see(ADMINISTRATION | {"class_teacher"})),
    "school:person_reset_2fa": case({"pk": "user_guardian"}),
    "school:school_security": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    # The access log of personal data: the journal administrator and the director (the other school's administrator
    # reads his own school's).
    "school:access_log": case(expect=see({"admin", "director", "other_school_admin"}, rest=403)),
    # --- school: read pages ---------------------------------------------------------------------------------
    "school:class_list": case(expect=everyone(200)),  # scoped: families get an empty list
    "school:class_detail": case({"pk": "class_5a"}, see(ADMINISTRATION | {"teacher", "class_teacher"})),
    "school:group_detail": case({"pk": "group_5a"}, see(ADMINISTRATION | {"teacher", "class_teacher"})),
    "school:student_list": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:student_detail": case({"pk": "student"}, see(ADMINISTRATION | {"teacher", "class_teacher"} | OWN_CHILD)),
    "school:staff_list": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:movement_log": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:my_groups": case(expect=see(TEACHING, rest=403)),
    "school:children": case(expect=see({"guardian", "other_guardian"}, rest=403)),
    "school:me": case(expect=see({"student", "other_student"}, rest=403)),
    # --- school: set-up (the administration reads, the journal administrator writes) ----------------------------
    "school:setup": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_years": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_periods": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_period_edit": case({"pk": "period"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_period_set_delete": case({"pk": "period_set"}, post_only(anonymous=405)),
    "school:setup_holidays": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_holiday_edit": case({"pk": "holiday"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_holiday_delete": case({"pk": "holiday"}, post_only(anonymous=405)),
    "school:setup_subjects": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_subject_edit": case({"pk": "math"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_curriculum": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_classes": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:class_edit": case({"pk": "class_5a"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_groups": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_group_split": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_group": case({"pk": "subgroup_5a"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_group_member_add": case({"pk": "subgroup_5a"},
                                          see(ADMINISTRATION, rest=403, other_school_admin=404)),
    # A GET changes nothing: back to the group with an error message.
    "school:setup_group_member_remove": case({"pk": "subgroup_5a", "membership_pk": "membership"},
                                             see(ADMINISTRATION, status=302, rest=403, other_school_admin=404)),
    "school:setup_assignments": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_assignment_edit": case({"pk": "math_5a"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_staff": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_staff_new": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_staff_edit": case({"pk": "staff_teacher"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_staff_deactivate": case({"pk": "staff_teacher"}, post_only(anonymous=405)),
    "school:setup_staff_reactivate": case({"pk": "staff_teacher"}, post_only(anonymous=405)),
    "school:setup_students": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_student_new": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    # Personal data: the administrator and the class teacher edit; whoever else sees the pupil is refused.
    "school:student_edit": case({"pk": "student"}, see({"admin", "class_teacher"}, rest=404, deputy=403,
                                                       director=403, teacher=403, student=403, guardian=403)),
    "school:setup_guardians": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_guardian_new": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "school:setup_guardian_edit": case({"pk": "guardian"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "school:setup_guardian_unlink": case({"pk": "guardian_link"}, post_only(anonymous=405)),
    "school:movement_new": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    # --- school: imports and exports --------------------------------------------------------------------------
    "school:import": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "school:import_kind": case({"kind": "=students"}, see({"admin", "other_school_admin"}, rest=403)),
    "school:import_template": case({"kind": "=students", "file_format": "=xlsx"}, see(ANY_ADMINISTRATION, rest=403)),
    # An import that is not (or no longer) there: back to the import page.
    "school:import_preview": case({"kind": "=students", "token": "=nosuchimport"},
                                  see({"admin", "other_school_admin"}, status=302, rest=403)),
    "school:import_cancel": case({"kind": "=students", "token": "=nosuchimport"}),
    "school:export": case(expect=see(ANY_ADMINISTRATION | CLASS_TEACHERS, rest=403)),
    "school:export_download": case({"kind": "=students", "file_format": "=xlsx"}, see(ANY_ADMINISTRATION, rest=403)),
    # --- timetable ------------------------------------------------------------------------------------------
    "timetable:index": case(expect=see(STAFF, rest=302)),  # families: to the child's class timetable
    "timetable:day": case(expect=see(STAFF, rest=403)),
    "timetable:class": case({"pk": "class_5a"}, see(SCHOOL_ONE_STAFF | OWN_CHILD)),
    "timetable:teacher": case({"pk": "staff_teacher"}, see(SCHOOL_ONE_STAFF)),
    "timetable:room": case({"pk": "room"}, see(SCHOOL_ONE_STAFF)),
    "timetable:today": case(expect=see(STAFF, rest=403)),
    # Adding a lesson: a teacher with a workload, the deputy and the director.
    "timetable:lesson_new": case(expect=see((TEACHING - {"admin"}) | DEPUTY_AND_DIRECTOR, rest=403)),
    "timetable:lesson_detail": case({"pk": "math_lesson"},
                                    see(ADMINISTRATION | {"teacher", "class_teacher"} | OWN_CHILD)),
    "timetable:lesson_move": case({"pk": "math_lesson"}, see({"teacher"} | DEPUTY_AND_DIRECTOR, rest=404, admin=403,
                                                             class_teacher=403, student=403, guardian=403)),
    "timetable:lesson_remove": case({"pk": "math_lesson"}, everyone(404)),  # a regular lesson is not removed
    "timetable:class_edit": case({"pk": "class_5a"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "timetable:group_edit": case({"pk": "cross_group"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "timetable:entry_change": case({"pk": "entry"}, see(ADMINISTRATION, rest=403, other_school_admin=404)),
    "timetable:entry_end": case({"pk": "entry"}, see(frozenset(), rest=403, admin=404, director=404, deputy=404,
                                                     other_school_admin=404), post=True),
    "timetable:bells": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "timetable:bell_edit": case({"pk": "bell_schedule"}, see({"admin"}, rest=403, other_school_admin=404)),
    "timetable:special_day_add": case(expect=everyone(403), post=True),
    "timetable:special_day_remove": case({"pk": "special_day"}, see(frozenset(), rest=403, admin=404,
                                                                    other_school_admin=404), post=True),
    "timetable:rooms": case(expect=see(STAFF, rest=403)),
    "timetable:room_edit": case({"pk": "room"}, see({"admin"}, rest=403, other_school_admin=404)),
    "timetable:substitutions": case(expect=see(DEPUTY_AND_DIRECTOR, rest=403)),
    "timetable:substitution_record": case({"lesson_pk": "math_lesson"},
                                          see(frozenset(), rest=403, deputy=404, director=404), post=True),
    "timetable:substitution_remove": case({"pk": "substitution"}, see(frozenset(), rest=403, deputy=404,
                                                                      director=404), post=True),
    "timetable:substitution_log": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "timetable:timesheet": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "timetable:import": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "timetable:import_apply": case(expect=see(frozenset(), rest=403, admin=404, other_school_admin=404), post=True),
    "timetable:csv_template": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "timetable:fet_export": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    # --- КТП ------------------------------------------------------------------------------------------------
    "planning:index": case(expect=see(STAFF, rest=403)),
    "planning:coverage": case(expect=see(DEPUTY_AND_DIRECTOR, rest=403)),
    "planning:template_xlsx": case(expect=see(STAFF, rest=403)),
    "planning:template_csv": case(expect=see(STAFF, rest=403)),
    "planning:assignment": case({"pk": "math_5a"}, see(ADMINISTRATION | {"teacher"})),
    "planning:create": case({"pk": "math_5a"}),
    "planning:attach": case({"pk": "math_5a"}),
    "planning:import_for_assignment": case({"pk": "math_5a"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:fill": case({"pk": "math_5a"}),
    "planning:shift": case({"pk": "math_lesson"}),
    "planning:pull": case({"pk": "math_lesson"}),
    "planning:extend": case({"pk": "math_lesson"}),
    "planning:own_topic": case({"pk": "math_lesson"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:plan": case({"pk": "plan"}, see(ADMINISTRATION | {"teacher"})),
    "planning:plan_edit": case({"pk": "plan"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:plan_delete": case({"pk": "plan"}),
    "planning:plan_copy": case({"pk": "plan"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:import": case({"pk": "plan"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:export_xlsx": case({"pk": "plan"}, see(ADMINISTRATION | {"teacher"})),
    "planning:export_csv": case({"pk": "plan"}, see(ADMINISTRATION | {"teacher"})),
    "planning:detach": case({"pk": "plan", "assignment_pk": "math_5a"}),
    "planning:topic_create": case({"pk": "plan"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:section_create": case({"pk": "plan"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:topic_edit": case({"pk": "topic"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:topic_delete": case({"pk": "topic"}),
    "planning:topic_move": case({"pk": "topic"}),
    "planning:section_edit": case({"pk": "section"}, see({"teacher"}, deputy=403, director=403, admin=403)),
    "planning:section_delete": case({"pk": "section"}),
    "planning:section_move": case({"pk": "section"}),
    # --- journal: the subject teacher edits his lessons; the class teacher reads every subject of his class --------
    "journal:index": case(expect=see(STAFF, rest=403)),
    "journal:today": case(expect=see(STAFF, rest=403)),  # «Мой день», the teacher's start page
    # The lesson's topic and homework over the grid: only who may change the lesson.
    "journal:record_panel": case({"pk": "math_lesson"}, see({"teacher"}, rest=404, admin=403, director=403,
                                                            deputy=403, class_teacher=403, student=403,
                                                            guardian=403)),
    "journal:grid": case({"pk": "math_5a"}, see(ADMINISTRATION | {"teacher", "class_teacher"})),
    "journal:finals": case({"pk": "math_5a"}, see(ADMINISTRATION | {"teacher", "class_teacher"})),
    "journal:reopen": case({"pk": "math_5a"}, see(DEPUTY_AND_DIRECTOR, rest=403)),  # unlocking a closed period
    "journal:lesson": case({"pk": "math_lesson"}, see(ADMINISTRATION | {"teacher", "class_teacher"},
                                                      student=403, guardian=403)),
    "journal:lesson_record": case({"pk": "math_lesson"}),
    "journal:lesson_cells": case({"pk": "math_lesson"}),
    "journal:all_present": case({"pk": "math_lesson"}),  # «Все присутствуют» (POST)
    "journal:cell": case({"pk": "math_lesson", "student_id": "student"},
                         see(ADMINISTRATION | {"teacher", "class_teacher"}, student=403, guardian=403)),
    "journal:lesson_history": case({"pk": "math_lesson"}, see(ADMINISTRATION | {"teacher", "class_teacher"},
                                                              student=403, guardian=403)),
    "journal:attachment_add": case({"pk": "math_lesson"}),
    "journal:individual_homework": case({"pk": "math_lesson"}),
    "journal:attachment": case({"pk": "attachment"}, see(ADMINISTRATION | {"teacher", "class_teacher"} | OWN_CHILD)),
    "journal:attachment_delete": case({"pk": "attachment"}),
    "journal:mark": case({"pk": "mark"}),
    "journal:my_summary": case(expect=see(CLASS_TEACHERS, status=302)),  # to the summary of his class
    # The class summary and the control page are reports now (reports:class_summary, reports:control).
    "journal:class_summary": case({"pk": "class_5a"}, see(ADMINISTRATION | {"class_teacher"}, status=302)),
    "journal:attendance_week": case({"pk": "class_5a"}, see(ADMINISTRATION | {"class_teacher"})),
    "journal:absence_reason": case({"pk": "class_5a"}),
    "journal:day_reason": case({"pk": "class_5a"}),
    "journal:confirm_week": case({"pk": "class_5a"}),
    "journal:control": case(expect=see(DEPUTY_AND_DIRECTOR, status=302, rest=403)),
    "journal:rules": case(expect=see(STAFF, rest=403)),
    "journal:work_type_save": case(),
    # --- diary: a family sees its own child; the class teacher and the administration read -------------------
    "diary:home": case(expect=see(frozenset(LOGGED_IN) - {"teacher"}, status=302)),  # to a child or a class
    "diary:week": case({"student_id": "student"}, see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:week_pdf": case({"student_id": "student"}, see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:subject": case({"student_id": "student", "subject_id": "math"},
                          see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:feed": case({"student_id": "student"}, see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:finals": case({"student_id": "student"}, see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:acknowledge": case({"student_id": "student"}),
    "diary:calendar": case({"student_id": "student"}, see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:attachment": case({"student_id": "student", "pk": "attachment"},
                             see(ADMINISTRATION | {"class_teacher"} | OWN_CHILD)),
    "diary:ical": case({"token": "ical_token"}, everyone(200, anonymous=200)),  # the secret token is the key
    "diary:class_overview": case({"class_id": "class_5a"}, see(ADMINISTRATION | {"class_teacher"})),
    "diary:class_acknowledgements": case({"class_id": "class_5a"}, see(ADMINISTRATION | {"class_teacher"})),
    # No family of 5А chose paper: back to the class page with a message.
    "diary:class_paper_pdf": case({"class_id": "class_5a"}, see(ADMINISTRATION | {"class_teacher"}, status=302)),
    "diary:school_activity": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    # --- ops: the backups page exists for the school that keeps the copies (№ 1 in the world); its journal
    # administrator and director read it, its other people may not; for the other school it does not exist.
    "ops:backups": case(expect=see(frozenset({"admin", "director"}), rest=403, other_school_admin=404)),
    # --- reports: each follows the pages it summarises ------------------------------------------------------------
    "reports:index": case(expect=see(STAFF)),  # families: no report is theirs
    "reports:settings": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "reports:job": case({"pk": "report_job"}, see({"deputy"})),  # a file is its requester's
    "reports:job_file": case({"pk": "report_job"}, see({"deputy"})),
    "reports:export": case({"key": "=class_progress"}),
    "reports:municipal": case(expect=see(set(), rest=403)),  # the department's specialists only (tests in reports)
    "reports:municipal_refresh": case(expect=post_only()),
    **{f"reports:{key}": case(expect=see(REPORT_READERS[audience], rest=403)) for key, audience in REPORT_AUDIENCES},
    # --- messaging: mail is private (a thread is its participants' only, the administration's too); the
    # announcement is the 5А class teacher's to 5А parents; the help request the 5А parent's, for the journal
    # administrator (of each school: the other school's administrator manages his own school's settings).
    "messaging:inbox": case(expect=everyone(200)),
    "messaging:sent": case(expect=everyone(200)),
    "messaging:compose": case(expect=everyone(200)),
    "messaging:thread": case({"pk": "thread"}, see({"teacher", "guardian"})),
    "messaging:reply": case({"pk": "thread"}, post_only(), post=True),
    "messaging:attachment": case({"pk": "mail_attachment"}, see({"teacher", "guardian"})),
    "messaging:settings": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "messaging:announcements": case(expect=everyone(200)),
    "messaging:announcement_new": case(expect=see(STAFF, rest=403)),
    "messaging:announcement": case({"pk": "announcement"}, see(ADMINISTRATION | {"class_teacher", "guardian"})),
    "messaging:announcement_acknowledge": case({"pk": "announcement"}, post_only(), post=True),
    "messaging:announcement_change": case({"pk": "announcement"}, post_only(), post=True),
    "messaging:announcement_report": case({"pk": "announcement"},
                                          see(ADMINISTRATION | {"class_teacher"}, guardian=403)),
    "messaging:help": case(expect=everyone(200)),
    "messaging:help_hours": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "messaging:help_hours_remove": case({"pk": "consultation_slot"}, post_only(), post=True),
    "messaging:help_requests": case(expect=see({"admin", "other_school_admin"}, rest=403)),
    "messaging:help_request": case({"pk": "help_request"}, see({"admin", "guardian"})),
    "messaging:help_request_status": case({"pk": "help_request"}, post_only(), post=True),
    "messaging:help_request_answer": case({"pk": "help_request"}, post_only(), post=True),
    # --- notifications: each person's own (another's notification does not exist for him) ---------------------
    "notifications:list": case(expect=everyone(200)),
    "notifications:bell": case(expect=everyone(200)),
    "notifications:read": case(),
    "notifications:open": case({"pk": "=999999"}),  # POST only; someone else's id: 404 (tests in notifications)
    "notifications:settings": case(expect=everyone(200)),
    "notifications:school_settings": case(expect=see(ANY_ADMINISTRATION, rest=403)),
    "notifications:push_key": case(expect=everyone(200)),
    "notifications:push_subscribe": case(),
    "notifications:push_unsubscribe": case(),

}


# --- discovery ---------------------------------------------------------------------------------------------


def discover(patterns=None, prefix: str = "", namespace: str | None = None):
    """(url name, route) of every named pattern, with namespaces, skipping the admin site and static files."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            route = prefix + str(pattern.pattern)
            if route.startswith(("admin/", "static/")):
                continue
            yield from discover(pattern.url_patterns, route, full_ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith(("admin/", "static/")):
                continue
            if pattern.name is None:
                raise AssertionError(f"URL pattern {route!r} has no name: name it so the access matrix can cover it")
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


ROUTES = dict(discover())


def _params():
    for name in ROUTES:
        for persona in PERSONAS:
            yield pytest.param(name, persona, id=f"{name}-{persona}")


def _forged_params():
    for name in ROUTES:
        entry = EXPECTED.get(name)
        if entry is None:
            continue
        for kwarg, key in entry.forgeable:
            for forged_key, _names, personas in FORGERIES[key]:
                for persona in sorted(personas):
                    yield pytest.param(name, kwarg, forged_key, persona, id=f"{name}-{kwarg}={forged_key}-{persona}")


# --- the world, built once for the module --------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and a logged-in client per persona, made once and rolled back when the module is done."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            objects = build_world()
            clients = {"anonymous": Client()}
            for persona in LOGGED_IN:
                clients[persona] = Client()
                clients[persona].force_login(objects[f"user_{persona}"])
            yield objects, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_for(name: str, args: dict, objects: dict) -> str:
    kwargs = {}
    for kwarg, key in args.items():
        if key.startswith("="):
            kwargs[kwarg] = key[1:]
        else:
            value = objects[key]
            kwargs[kwarg] = value if isinstance(value, str) else value.pk
    return reverse(name, kwargs=kwargs)


def answer(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return LOGIN
    return response.status_code


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def assert_post_forms_carry_csrf(name: str, persona: str, response) -> None:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    for attributes, body in FORM.findall(response.content.decode()):
        if re.search(r"method\s*=\s*[\"']?post", attributes, re.I):
            assert 'name="csrfmiddlewaretoken"' in body, f"{name} as {persona}: a POST form without the CSRF token"


# --- the tests --------------------------------------------------------------------------------------------------


def test_every_url_has_an_expectation():
    missing = sorted(set(ROUTES) - set(EXPECTED))
    assert not missing, ("These pages have no line in EXPECTED of tests/test_access_matrix.py; say who may open "
                         "them (and name the world objects for their arguments): " + ", ".join(missing))
    gone = sorted(set(EXPECTED) - set(ROUTES))
    assert not gone, f"EXPECTED names URLs that no longer exist: {', '.join(gone)}"
    for name, entry in EXPECTED.items():
        assert set(entry.expect) == set(PERSONAS), f"{name}: every persona needs an expected answer"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), list(_params()))
def test_url_answers_persona_as_the_rules_say(world, name, persona):
    entry = EXPECTED.get(name)
    if entry is None:
        pytest.fail(f"{name} ({ROUTES[name]}) has no expectation in EXPECTED: declare who may open it")
    objects, clients = world
    url = url_for(name, entry.args, objects)
    response = clients[persona].get(url)
    expected = entry.expect[persona]
    assert answer(response) == expected, f"GET {url} ({name}) as {persona}: {answer(response)}, expected {expected}"
    assert_post_forms_carry_csrf(name, persona, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg", "forged_key", "persona"), list(_forged_params()))
def test_forged_ids_never_leak(world, name, kwarg, forged_key, persona):
    objects, clients = world
    entry = EXPECTED[name]
    names = next(n for key, n, _ in FORGERIES[entry.args[kwarg]] if key == forged_key)
    url = url_for(name, {**entry.args, kwarg: forged_key}, objects)
    client = clients[persona]
    response = client.post(url, {}) if entry.post_only else client.get(url)
    legit = entry.expect[persona]
    allowed_to_legit = legit not in (403, 404) and not entry.post_only
    got = answer(response)
    if allowed_to_legit:
        assert got == 404, f"{'POST' if entry.post_only else 'GET'} {url} as {persona}: {got}, expected 404"
    else:
        assert got in (403, 404), f"{'POST' if entry.post_only else 'GET'} {url} as {persona}: {got}, expected 403/404"
    body = response.content.decode(errors="replace")
    leaked = [n for n in names if n in body]
    assert not leaked, f"{url} as {persona} shows {leaked}"


def test_the_csrf_check_catches_a_post_form_without_the_token():
    class Page:
        status_code = 200
        content = b'<form method="post" action="/x/"><button>Go</button></form>'

        def get(self, key, default=None):
            return "text/html; charset=utf-8"

    with pytest.raises(AssertionError, match="without the CSRF token"):
        assert_post_forms_carry_csrf("x", "teacher", Page())
    Page.content = b'<form method="get"><input name="q"></form>'
    assert_post_forms_carry_csrf("x", "teacher", Page())


# --- the rules behind the table, at the level of the predicates --------------------------------------------------


@pytest.mark.django_db
def test_lessons_are_edited_by_their_teacher_and_by_the_substitute_who_took_them(world):
    from zhurnal.journal.permissions import can_edit_lesson, can_set_absence_reasons
    from zhurnal.school.roles import roles_in

    objects, clients = world
    school = objects["school"]

    def roles(persona):
        return roles_in(objects[f"user_{persona}"], school)

    assert can_edit_lesson(roles("teacher"), objects["math_lesson"])
    assert not can_edit_lesson(roles("other_teacher"), objects["math_lesson"])
    assert can_edit_lesson(roles("other_teacher"), objects["substituted_lesson"])
    assert clients["other_teacher"].get(reverse("journal:lesson", args=[objects["substituted_lesson"].pk])).status_code \
        == 200
    # The class teacher reads every subject of his class but edits only his own lessons…
    assert not can_edit_lesson(roles("class_teacher"), objects["math_lesson"])
    assert can_edit_lesson(roles("class_teacher"), objects["russian_lesson"])
    # …and sets the reasons of absences in his class only.
    assert can_set_absence_reasons(roles("class_teacher"), objects["class_5a"])
    assert not can_set_absence_reasons(roles("class_teacher"), objects["class_5b"])
    assert not can_set_absence_reasons(roles("teacher"), objects["class_5a"])
    for persona in ("deputy", "director", "admin", "student", "guardian"):
        assert not can_edit_lesson(roles(persona), objects["math_lesson"]), persona


# --- ids in the body or the query are authorized like ids in the URL -----------------------------------------------


@dataclass(frozen=True)
class BodyCase:
    """A persona sends another class's (or group's) pupil in the form or query of a page he may use."""

    persona: str
    method: str
    name: str
    args: dict
    data: dict  # field → world key, "=literal", or "{key}" inside a field name (the column form's "cell-{id}")


BODY_CASES = {
    # The class teacher of 5А gives a 5Б pupil's absences of a day a reason.
    "day_reason_other_class": BodyCase("class_teacher", "post", "journal:day_reason", {"pk": "class_5a"},
                                       {"student": "other_student", "date": "=2026-11-18", "code": "=б"}),
    # The class teacher of 5Б, substituting in 5А, gives a 5А pupil's absence a reason through his own class.
    "absence_reason_other_class": BodyCase("other_teacher", "post", "journal:absence_reason", {"pk": "class_5b"},
                                           {"lesson": "substituted_lesson", "student": "student", "code": "=б"}),
    # The maths teacher of 5А reads or fills a 5Б pupil's cell through his own lesson.
    "cell_read_other_group": BodyCase("teacher", "get", "journal:cell",
                                      {"pk": "math_lesson", "student_id": "other_student"}, {}),
    "cell_save_other_group": BodyCase("teacher", "post", "journal:cell",
                                      {"pk": "math_lesson", "student_id": "other_student"}, {"value": "=5"}),
    "column_save_other_group": BodyCase("teacher", "post", "journal:lesson_cells", {"pk": "math_lesson"},
                                        {"cell-{other_student}": "=5"}),
    "individual_homework_other_group": BodyCase("teacher", "post", "journal:individual_homework",
                                                {"pk": "math_lesson"}, {"student": "other_student", "text": "=§ 5"}),
}


def _body_value(value: str, objects: dict) -> str:
    return value[1:] if value.startswith("=") else str(objects[value].pk)


def _journal_state(objects: dict) -> tuple:
    from zhurnal.journal.models import Attendance, IndividualHomework, Mark

    return (sorted(Attendance.objects.values_list("lesson_id", "student_id", "code", "note")),
            sorted(Mark.objects.values_list("lesson_id", "student_id", "value")),
            sorted(IndividualHomework.objects.values_list("lesson_id", "student_id", "text")))


@pytest.mark.django_db
@pytest.mark.parametrize("case_name", sorted(BODY_CASES))
def test_ids_in_the_body_are_scoped_like_ids_in_the_url(world, case_name):
    from zhurnal.core.dates import today as school_today
    from zhurnal.journal import services as journal_services

    objects, clients = world
    entry = BODY_CASES[case_name]
    with transaction.atomic():
        # Absences to give reasons to: the 5Б pupil missed maths, the 5А pupil the substituted lesson.
        today = max(school_today(), objects["substituted_lesson"].date)
        journal_services.save_cell(actor=objects["user_other_teacher"], lesson=objects["math_5b_lesson"],
                                   student=objects["other_student"], text="н", today=today)
        journal_services.save_cell(actor=objects["user_other_teacher"], lesson=objects["substituted_lesson"],
                                   student=objects["student"], text="н", today=today)
        before = _journal_state(objects)
        data = {}
        for field_name, value in entry.data.items():
            field_name = re.sub(r"\{(\w+)\}", lambda m: str(objects[m.group(1)].pk), field_name)
            data[field_name] = _body_value(value, objects)
        url = url_for(entry.name, entry.args, objects)
        client = clients[entry.persona]
        response = getattr(client, entry.method)(url, data)
        got = answer(response)
        assert got in (403, 404), f"{entry.method.upper()} {url} {data} as {entry.persona}: {got}, expected 403/404"
        assert _journal_state(objects) == before, f"{case_name}: the journal changed"
        body = response.content.decode(errors="replace")
        names = OTHER_FAMILY_NAMES if entry.data.get("student") == "other_student" or "other_student" in str(
            entry.args) or "{other_student}" in str(entry.data) else ("Иванов",)
        assert not [n for n in names if n in body], f"{case_name}: the answer names the pupil"
        transaction.set_rollback(True)
