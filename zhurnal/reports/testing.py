"""A small school with a closed first quarter, built through the services, whose figures are worked by hand in
``tests/test_metrics.py``.

5А (class teacher «class_teacher»): the small school's three pupils and six more, so that the maths final marks of
the first quarter are: 5, 4, 3, 2, н/а, осв, a pupil who left on 10 October (his «4» does not count), a pupil
without a final mark, and the other two pupils «5» — see ``FINALS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from zhurnal.school.models import ReportingPeriod, Student, TeachingAssignment
from zhurnal.school.testing import SmallSchool, build_small_school, make_student
from zhurnal.timetable.models import Lesson

# Pupil → maths and Russian finals of the first quarter.
FINALS = {
    "Антонов": ("5", "5"),
    "Борисов": ("4", "4"),
    "Васильев": ("3", "4"),
    "Григорьев": ("2", "3"),
    "Дмитриев": ("н/а", "3"),
    "Егоров": ("осв", "4"),
    "Жуков": ("4", "4"),  # leaves on 10 October, before the quarter's end
    "Зайцев": ("", "5"),  # no maths final
}
LEFT_ON = dt.date(2026, 10, 10)
FORMULA_NAME = '=HYPERLINK("http://x","y")'


@dataclass
class ReportSchool:
    s: SmallSchool
    math: TeachingAssignment
    russian: TeachingAssignment
    quarter: ReportingPeriod
    pupils: dict[str, Student] = field(default_factory=dict)
    lessons: dict[str, list[Lesson]] = field(default_factory=dict)
    today: dt.date = dt.date(2026, 12, 7)
    extra: dict[str, Any] = field(default_factory=dict)


def build_report_school(*, formula_pupil: bool = False) -> ReportSchool:
    from zhurnal.journal import services as journal_services
    from zhurnal.journal.testing import make_lessons
    from zhurnal.school import services as school_services
    from zhurnal.school.selectors import periods_for_grade

    s = build_small_school()
    journal_services.ensure_journal_setup(school=s.school, valid_from=s.year.start)
    math = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.math)
    russian = TeachingAssignment.objects.get(group__school_class=s.class_5a, subject=s.russian)
    quarter = periods_for_grade(s.year, 5).first()
    pupils = {}
    for last_name in FINALS:
        pupils[last_name] = make_student(s.class_5a, last_name, first_name="Пётр")
    if formula_pupil:
        pupils["formula"] = make_student(s.class_5a, FORMULA_NAME, first_name=FORMULA_NAME)
    world = ReportSchool(s=s, math=math, russian=russian, quarter=quarter, pupils=pupils)
    world.lessons["math"] = make_lessons(math, 6, start=dt.date(2026, 9, 7), numbers=(2,))
    world.lessons["russian"] = make_lessons(russian, 6, start=dt.date(2026, 9, 7), numbers=(3,))
    # Жуков's finals are set while he is in the class; he leaves on 10 October, before the quarter's end.
    for last_name, (math_final, russian_final) in FINALS.items():
        for assignment, value in ((math, math_final), (russian, russian_final)):
            if value:
                journal_services.set_final_mark(actor=assignment.teacher.user, assignment=assignment,
                                                student=pupils[last_name], period=quarter, value=value,
                                                reason="итог по результатам четверти", today=quarter.end)
    school_services.depart_student(actor=None, student=pupils["Жуков"], date=LEFT_ON, order_number="77-у",
                                   note="переезд в другой город")
    return world
