"""Applying a plan: one transaction, every row through the school's services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhurnal.accounts.models import User
from zhurnal.audit.services import record
from zhurnal.audit.verbs import Verb

from .. import services
from ..models import (
    Guardian,
    SchoolClass,
    Student,
)
from .formats import GUARDIANS, STAFF, STUDENTS
from .plan import Plan, PlannedRow


@dataclass
class ImportResult:
    kind: str
    created: int
    skipped: int
    classes: list[SchoolClass] = field(default_factory=list)
    guardians_created: int = 0  # a class list's parents, new in the school


def _row_failed(row: PlannedRow, exc: ValidationError) -> ValidationError:
    return ValidationError(f"Строка {row.number}: {' '.join(exc.messages)} Ничего не загружено.")


@transaction.atomic
def apply_import(*, actor: User, plan: Plan) -> ImportResult:
    """Write every row of a checked plan through the school's services — all rows or none."""
    if not plan.ok:
        raise ValidationError(f"В файле есть ошибки ({len(plan.errors)}): ничего не загружено. Исправьте файл и "
                              "загрузите его снова.")
    result = APPLIERS[plan.format.kind](actor, plan)
    record(actor=actor, verb=IMPORT_VERBS[plan.format.kind], target=plan.school, school=plan.school,
           after={"file": plan.filename, "created": result.created, "skipped": result.skipped})
    return result


def _apply_students(actor: User, plan: Plan) -> ImportResult:
    classes: dict[int, SchoolClass] = {}
    existing = Guardian.objects.select_related("school").in_bulk(
        [spec.guardian_id for row in plan.to_import for spec in row.values.get("parents", ())
         if spec.guardian_id is not None])
    made: dict[tuple, Guardian] = {}
    for row in plan.to_import:
        values = row.values
        try:
            student = services.save_student(
                actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                patronymic=values.get("patronymic") or "", birth_date=values["birth_date"],
                gender=values["gender"], address=values.get("address") or "",
                document=values.get("document") or "", snils=values.get("snils") or "",
                phone=values.get("phone") or "", email=values.get("email") or "",
            )
            services.enroll_student(actor=actor, student=student, school_class=values["school_class"],
                                    date=values["enrolled_on"], order_number=values["order_number"])
            for spec in values.get("parents", ()):
                guardian = existing.get(spec.guardian_id) or made.get(spec.key)
                if guardian is None:
                    guardian = made[spec.key] = services.save_guardian(
                        actor=actor, school=plan.school, last_name=spec.last_name, first_name=spec.first_name,
                        patronymic=spec.patronymic, phone=spec.phone, email=spec.email)
                services.link_guardian(actor=actor, student=student, guardian=guardian, relation=spec.relation)
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
        classes[values["school_class"].pk] = values["school_class"]
    ordered = sorted(classes.values(), key=lambda c: (c.grade, c.letter))
    return ImportResult(kind=STUDENTS, created=len(plan.to_import), skipped=0, classes=ordered,
                        guardians_created=len(made))


def _apply_staff(actor: User, plan: Plan) -> ImportResult:
    for row in plan.to_import:
        values = row.values
        try:
            services.save_staff(
                actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                patronymic=values.get("patronymic") or "", positions=values["positions"],
                email=values.get("email") or "", phone=values.get("phone") or "",
            )
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
    return ImportResult(kind=STAFF, created=len(plan.to_import), skipped=0)


def _apply_guardians(actor: User, plan: Plan) -> ImportResult:
    rows = plan.to_import
    students = Student.objects.select_related("school").in_bulk([row.values["student_id"] for row in rows])
    existing = Guardian.objects.select_related("school").in_bulk(
        [row.values["guardian_id"] for row in rows if row.values.get("guardian_id")])
    made: dict[tuple, Guardian] = {}
    for row in rows:
        values = row.values
        try:
            guardian = existing.get(values.get("guardian_id")) or made.get(values["guardian_key"])
            if guardian is None:
                guardian = services.save_guardian(
                    actor=actor, school=plan.school, last_name=values["last_name"], first_name=values["first_name"],
                    patronymic=values.get("patronymic") or "", phone=values.get("phone") or "",
                    email=values.get("email") or "",
                )
                made[values["guardian_key"]] = guardian
            services.link_guardian(actor=actor, student=students[values["student_id"]], guardian=guardian,
                                   relation=values.get("relation") or "")
        except ValidationError as exc:
            raise _row_failed(row, exc) from exc
    return ImportResult(kind=GUARDIANS, created=len(rows), skipped=len(plan.rows) - len(rows))


APPLIERS: dict[str, Callable[[Any, Plan], ImportResult]] = {
    STUDENTS: _apply_students, STAFF: _apply_staff, GUARDIANS: _apply_guardians,
}
IMPORT_VERBS = {STUDENTS: Verb.IMPORT_STUDENTS, STAFF: Verb.IMPORT_STAFF, GUARDIANS: Verb.IMPORT_GUARDIANS}
