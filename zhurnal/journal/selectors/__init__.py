"""Every read the journal pages need, each in a fixed number of queries whatever the size of the class.

``journal_grid`` (assignment × period), ``lesson_sheet`` (one lesson), ``cell_detail`` and ``lesson_history``,
``attendance_week`` and ``control_overview`` (the class summary is a report: ``reports.class_reports``).

The package, by what each module serves (every name is importable from ``zhurnal.journal.selectors``):
``periods`` (an assignment's calendar), ``members`` (who is in a group when), ``grid`` (the grid and a cell
save's column state), ``lesson`` (one lesson's sheet), ``history``, ``finals``, ``class_teacher`` (attendance
week), ``control`` (the deputy's page), ``teacher`` (the teacher's start page, small reads).
"""

from .class_teacher import (  # noqa: F401
    AbsenceItem,
    AttendanceWeek,
    WeekRow,
    attendance_week,
    week_start_of,
)
from .control import (  # noqa: F401
    CONTROL_LIST_LIMIT,
    FINALS_WATCH_DAYS,
    ControlOverview,
    control_lists,
    control_overview,
)
from .finals import (  # noqa: F401
    FinalRow,
    FinalsPage,
    finals_page,
    period_final_rows,
    year_final_rows,
)
from .grid import (  # noqa: F401
    EMPTY_CELL,
    Cell,
    ColumnState,
    FinalHead,
    Grid,
    GridColumn,
    GridRow,
    LessonHead,
    cell_text,
    column_state,
    default_work_type,
    journal_grid,
    period_mark_rows,
    student_period_marks,
)
from .history import (  # noqa: F401
    CELL_VERBS,
    LESSON_TARGET,
    CellDetail,
    HistoryLine,
    cell_detail,
    cell_history,
    lesson_history,
    lesson_history_lines,
)
from .lesson import (  # noqa: F401
    LessonSheet,
    SheetRow,
    lesson_sheet,
)
from .members import (  # noqa: F401
    OPEN_END,
    Spans,
    in_spans,
    is_member_on,
    member_spans,
)
from .periods import (  # noqa: F401
    assignment_grade,
    assignment_periods,
    current_period,
    marks_allowed_for,
    period_policy_date,
)
from .standing import (  # noqa: F401
    Standing,
    student_standing,
    unexcused_in_span,
)
from .teacher import (  # noqa: F401
    DayLesson,
    OverdueControl,
    TeacherDayPage,
    attachments_of,
    individual_homework_of,
    mark_counts,
    policy_versions,
    rules_page,
    teacher_day_page,
    teacher_lessons_on,
)
