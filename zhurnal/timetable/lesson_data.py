"""Does a lesson hold data? One answer for the whole system.

A lesson holds data when it has a topic or homework, a substitution, or any row in a registered reverse
relation. Apps that hang data on lessons (the journal: marks, attendance) register their related names with
``register_lesson_data`` in their ``AppConfig.ready()`` — the timetable never imports them. Regenerating
lessons after a timetable change never deletes a lesson that holds data.
"""

from __future__ import annotations

from django.db.models import Exists, ForeignObjectRel, OuterRef, Q, QuerySet

from .models import Lesson, Substitution

# Related names of reverse relations on Lesson whose rows are data (e.g. "marks", "attendance"): filled only by
# ``register_lesson_data``.
LESSON_DATA_RELATIONS: list[str] = []


def register_lesson_data(*related_names: str) -> None:
    """Rows of these reverse relations of ``Lesson`` are data a lesson holds (called by the apps that own them)."""
    for related_name in related_names:
        Lesson._meta.get_field(related_name)  # a misspelt name fails at start-up, not on the first regeneration
        if related_name not in LESSON_DATA_RELATIONS:
            LESSON_DATA_RELATIONS.append(related_name)


def _relation_exists(related_name: str) -> Exists:
    relation = Lesson._meta.get_field(related_name)
    if not isinstance(relation, ForeignObjectRel):
        raise TypeError(f"{related_name} is not a relation to the lesson")
    return Exists(relation.related_model._default_manager.filter(**{relation.field.name: OuterRef("pk")}))


def holds_registered_data() -> Q:
    """A filter matching lessons with rows in a registered relation (the journal's marks, attendance…); matches
    nothing while none is registered."""
    condition = Q(pk__in=[])
    for related_name in LESSON_DATA_RELATIONS:
        condition |= Q(_relation_exists(related_name))
    return condition


def holds_data(*, include_substitution: bool = True) -> Q:
    """A filter matching lessons that hold data (a recorded substitution counts unless told otherwise)."""
    condition = ~Q(topic="") | ~Q(homework="")
    if include_substitution:
        condition |= Q(Exists(Substitution.objects.filter(lesson=OuterRef("pk"))))
    return condition | holds_registered_data()


def lessons_with_data(queryset: QuerySet[Lesson], *, include_substitution: bool = True) -> QuerySet[Lesson]:
    return queryset.filter(holds_data(include_substitution=include_substitution))


def lessons_without_data(queryset: QuerySet[Lesson]) -> QuerySet[Lesson]:
    return queryset.exclude(holds_data())


def lesson_has_data(lesson: Lesson) -> bool:
    return lessons_with_data(Lesson.objects.filter(pk=lesson.pk)).exists()
