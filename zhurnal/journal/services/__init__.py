"""Every write to the journal. Keyword-only, one transaction each, audited, idempotent where a client retries.

Marks and attendance of one student at one lesson (a "cell") change together through ``save_cell``; the lesson
row is locked first so that two saves of one cell run one after the other and both land in the history.
Changes that concern a lesson (its record, every cell) are audited with the lesson as the target, so the
lesson's history and a cell's history are one indexed query.

The package, by what each module serves (every name is importable from ``zhurnal.journal.services``):
``rules`` (grading policy versions, work types), ``cells`` (marks and attendance), ``lesson_record`` (topic,
homework, files, individual homework), ``finals`` (final marks, reopening a closed period), ``attendance`` (the
class teacher's reasons of absences and weekly check), ``common`` (the lesson context and locks they share).
"""

from .attendance import (  # noqa: F401
    confirm_all_present,
    confirm_attendance_week,
    set_absence_reason,
    set_day_absence_reason,
    unexcused_absences,
)
from .cells import (  # noqa: F401
    CellConflict,
    CellInput,
    CellResult,
    ColumnResult,
    PostedCell,
    RowFigures,
    save_cell,
    save_cells,
    save_posted_cell,
    save_posted_column,
    update_mark,
)
from .common import (  # noqa: F401
    LOCKED_LESSON_RELATED,
    UNSET,
    LessonContext,
    closed_period_message,
)
from .finals import (  # noqa: F401
    MAX_REOPEN_DAYS,
    reopen_period,
    set_final_mark,
    set_final_marks,
)
from .lesson_record import (  # noqa: F401
    HOMEWORK_KINDS,
    HOMEWORK_MAX_BYTES,
    HOMEWORK_MAX_FILES,
    add_homework_attachment,
    remove_homework_attachment,
    save_individual_homework,
    save_lesson_record,
    write_plan_content,
)
from .rules import (  # noqa: F401
    POLICY_FIELDS,
    ensure_journal_setup,
    save_grading_policy,
    save_work_type,
)
