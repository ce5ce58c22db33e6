"""Imports of class lists, staff and guardians from XLSX and CSV: read, check every row, apply all or nothing.

``read_table`` turns the uploaded bytes into numbered rows (numbers as the user sees them in the spreadsheet),
``prepare`` matches the header and checks every row against the school — classes, students and guardians are
loaded once, never per row — and ``apply_import`` writes every row through the school's services in one
transaction. While any row is wrong nothing is written.

Between the preview and the confirmation the uploaded file is kept server-side (``store_upload``), under a random
token bound to the user and the school, and expires after ``UPLOAD_TTL``.

The package, by what each module serves (every name is importable from ``zhurnal.school.imports``): ``formats``,
``values`` (reading and parsing one value), ``plan`` (checking), ``apply`` (writing), ``uploads`` (the file kept
between preview and confirmation).
"""

from .apply import (  # noqa: F401
    APPLIERS,
    ImportResult,
    apply_import,
)
from .formats import (  # noqa: F401
    EMAIL,
    FORMATS,
    GUARDIAN_FORMAT,
    GUARDIANS,
    PHONE,
    STAFF,
    STAFF_FORMAT,
    STUDENT_FORMAT,
    STUDENTS,
    Column,
    Format,
    FullName,
    all_formats,
)
from .plan import (  # noqa: F401
    CHECKS,
    Options,
    Plan,
    PlannedRow,
    RowError,
    person_key,
    prepare,
)
from .uploads import (  # noqa: F401
    TOKEN_RE,
    UPLOAD_DIR,
    UPLOAD_TTL,
    StoredUpload,
    UploadExpired,
    UploadForeign,
    UploadMissing,
    discard_upload,
    load_upload,
    store_upload,
    sweep_expired_uploads,
)
from .values import (  # noqa: F401
    CLASS_RE,
    GENDER_LETTERS,
    GENDERS,
    ISO_DATE,
    LATIN_LOOKALIKES,
    MAX_ROWS,
    PARSERS,
    POSITION_NAMES,
    RU_DATE,
    CellError,
    ImportFileError,
    Row,
    cell_text,
    fold,
    normalize_header,
    parse_class,
    parse_date,
    parse_email,
    parse_gender,
    parse_phone,
    parse_positions,
    parse_snils,
    parse_text,
    phone_key,
    read_table,
    snils_checksum,
    too_large_message,
)
