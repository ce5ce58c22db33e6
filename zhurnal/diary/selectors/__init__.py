"""Every read of the diary, each in a fixed number of queries whatever the number of marks and lessons.

``diary_days`` (a span of days: the week view, the printable report, the calendar feed), ``diary_subject``
(one subject's marks with the computation shown and the "what if" table), ``diary_finals`` (subjects ×
periods with the forecast), ``marks_feed``, and the class teacher's and the deputy's tables
(``class_week_activity``, ``school_week_activity``, ``class_acknowledgements``).

Averages and suggested final marks come from ``zhurnal.journal.grading`` with the policy the journal uses for
the same period, so a family reads exactly the figures the teacher sees. What families see of final marks and
the forecast is decided by ``zhurnal.journal.visibility``.

The package, by what each module serves (every name is importable from ``zhurnal.diary.selectors``):
``placement`` (where a student learns), ``days`` (the week, the printed report, the calendar), ``ahead`` (control works to come, the period's absences), ``feed`` (new
marks), ``subject`` (one subject's computation and "what if"), ``finals`` (final marks and their
acknowledgement), ``oversight`` (the class teacher's and the deputy's reads).
"""

from .ahead import (  # noqa: F401
    AHEAD_DAYS,
    PeriodAbsences,
    UpcomingControl,
    period_absences,
    upcoming_controls,
)
from .days import (  # noqa: F401
    HOMEWORK_LOOKAROUND_DAYS,
    DiaryDay,
    DiaryLesson,
    DiarySpan,
    DiaryWeek,
    FileItem,
    HomeworkItem,
    MarkItem,
    diary_days,
    diary_week,
    week_bounds,
)
from .feed import (  # noqa: F401
    FEED_DAYS,
    FEED_LIMIT,
    FeedItem,
    MarksFeed,
    feed_since,
    last_feed_visit,
    marks_feed,
)
from .finals import (  # noqa: F401
    AckState,
    FinalCell,
    FinalsPage,
    FinalsRow,
    diary_finals,
)
from .oversight import (  # noqa: F401
    CHECKS_PER_WEEK,
    SHORT_DAYS,
    AckRow,
    ClassAcknowledgements,
    ClassActivity,
    ClassActivitySummary,
    GuardianAck,
    GuardianActivity,
    StudentActivity,
    acknowledgement_snapshot,
    children_of,
    class_acknowledgements,
    class_week_activity,
    other_school_children,
    paper_students,
    school_week_activity,
)
from .placement import (  # noqa: F401
    ClassStay,
    GroupStay,
    Placement,
    group_assignments,
    placement,
    year_assignments,
)
from .subject import (  # noqa: F401
    MarkLine,
    SubjectPage,
    SubjectSection,
    WhatIfCell,
    WhatIfRow,
    YearFinal,
    diary_subject,
    forecast_warning,
    student_periods,
)
