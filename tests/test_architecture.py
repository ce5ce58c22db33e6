"""The layout's rules, checked on the source (DESIGN.md, "Architecture"):

- apps depend one way: core ← audit ← accounts ← school ← timetable ← planning ← journal ← {diary, reports,
  messaging, notifications, library} ← {ops, api}; nothing lower imports anything higher, and apps of one layer do not import
  each other (a higher app plugs into a lower one through a registration function the lower one offers);
- views open no transaction and take no row lock (``transaction.atomic``, ``select_for_update``): a service does;
- SQL text and database cursors live only in an app's ``queries.py`` or in ``core/sql.py``, which hand out named
  rows: nowhere else is a row read by position (``row[14]``, ``r[-1]``, ``row[:3]`` — a variable named ``row`` or
  ``r`` subscripted with a number; unpacking is fine);
- whoever does a write is typed as a user: every ``actor`` parameter is annotated with a user class (``User``, or
  Django's ``AbstractBaseUser`` below the accounts app), never ``Any`` or nothing (mypy, run by ``make lint``,
  then checks every call);
- the audit log's verbs are one enumeration (``zhurnal.audit.verbs.Verb``): no change is recorded, and the log
  filtered, under a verb written out as a string;
- spreadsheets (XLSX, CSV) are written only by ``core/spreadsheets.py``, the one writer that neutralises formulas.

Tests and migrations are not checked: tests exercise the whole stack, migrations are history.
``ALLOWED`` lists what is still to be moved; it only shrinks (an entry that no longer applies fails too).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zhurnal"

LAYERS = [
    {"core"},
    {"audit"},
    {"accounts"},
    {"school"},
    {"timetable"},
    {"planning"},
    {"journal"},
    {"diary", "reports", "messaging", "notifications", "library"},
    {"ops", "api"},
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}

SQL_PLACES = ("queries.py", "core/sql.py")
SQL_TEXT = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET|CREATE\s+(UNIQUE\s+)?"
                      r"(TABLE|INDEX))\b", re.DOTALL)
CURSOR_CALLS = {"cursor", "execute", "executemany", "raw", "RawSQL"}

# (path relative to the repository, rule): what a later stage of issue 16 moves. Empty at the end.
ALLOWED: set[tuple[str, str]] = set()


def _sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if "tests" not in path.parts and "migrations" not in path.parts)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _app(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def import_violations() -> list[str]:
    problems = []
    for path in _sources():
        app = _app(path)
        if app not in RANK:
            continue
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] != "zhurnal" or len(parts) < 2 or parts[1] == app or parts[1] not in RANK:
                continue
            if RANK[parts[1]] >= RANK[app]:
                problems.append(f"{_relative(path)}:{line}: {app} imports {module}")
    return problems


def _is_view_module(path: Path) -> bool:
    return path.name == "views.py" or "views" in path.relative_to(PACKAGE).parts[:-1]


def transaction_violations() -> set[tuple[str, str]]:
    found = set()
    for path in _sources():
        if not _is_view_module(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
            if name in {"atomic", "select_for_update", "in_atomic_block"}:
                found.add((_relative(path), "transaction"))
        if any("FOR UPDATE" in text for text in _strings(tree)):
            found.add((_relative(path), "transaction"))
    return found


def _strings(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(part.value if isinstance(part, ast.Constant) else " x " for part in node.values)


def sql_violations() -> set[tuple[str, str]]:
    found = set()
    for path in _sources():
        relative = _relative(path)
        if relative.endswith(SQL_PLACES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        texts = [node for node in ast.walk(tree) if isinstance(node, ast.Constant | ast.JoinedStr)
                 and id(node) not in docstrings]
        has_sql = any(SQL_TEXT.search(text) for node in texts for text in _strings(node))
        calls = any(isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Attribute) and node.func.attr in CURSOR_CALLS)
            or (isinstance(node.func, ast.Name) and node.func.id in CURSOR_CALLS))
            for node in ast.walk(tree))
        if has_sql or calls:
            found.add((relative, "sql"))
    return found


ROW_NAMES = {"row", "r"}


def _is_number(node: ast.AST | None) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def positional_row_reads(sources: list[Path] | None = None) -> list[str]:
    """``row[14]`` outside the SQL places: a variable named ``row`` or ``r`` subscripted with a number or sliced by
    numbers."""
    problems = []
    for path in _sources() if sources is None else sources:
        relative = _relative(path) if path.is_relative_to(ROOT) else path.name
        if relative.endswith(SQL_PLACES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                    and node.value.id in ROW_NAMES):
                continue
            index = node.slice
            if _is_number(index) or (isinstance(index, ast.Slice)
                                     and any(_is_number(bound) for bound in (index.lower, index.upper))):
                problems.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return problems


def test_rows_are_read_by_name():
    assert positional_row_reads() == [], "read rows by name: queries.py returns NamedTuples or dataclasses"


USER_TYPES = {"User", "AbstractBaseUser"}


def untyped_actors() -> list[str]:
    problems = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            arguments = node.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if argument.arg != "actor":
                    continue
                names = {n.id for n in ast.walk(argument.annotation) if isinstance(n, ast.Name)} \
                    if argument.annotation is not None else set()
                if not names & USER_TYPES or "Any" in names:
                    problems.append(f"{_relative(path)}:{argument.lineno}: {node.name}(actor: "
                                    f"{ast.unparse(argument.annotation) if argument.annotation else '—'})")
    return problems


def test_actors_are_typed_as_users():
    assert untyped_actors() == []


# Idempotency keys have verbs of their own (the kind of write a key replays), not the audit log's.
KEY_CALLS = {"remember", "replay", "replayed_result", "WriteKey"}


def free_verbs() -> list[str]:
    problems = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if callee in KEY_CALLS:
                continue
            for keyword in node.keywords:
                if keyword.arg in ("verb", "verb__in", "verb__startswith") and any(
                        isinstance(part, ast.JoinedStr) or (isinstance(part, ast.Constant) and isinstance(part.value, str))
                        for part in ast.walk(keyword.value)):
                    problems.append(f"{_relative(path)}:{node.lineno}: {callee}({keyword.arg}={ast.unparse(keyword.value)})")
    return problems


def test_audit_verbs_come_from_the_enumeration():
    assert free_verbs() == []


SPREADSHEET_WRITER = "zhurnal/core/spreadsheets.py"
WRITER_NAMES = {"Workbook", "writer", "DictWriter", "xlsxwriter", "Writer"}


def spreadsheet_writer_violations(sources: list[Path] | None = None) -> list[str]:
    """Uses of openpyxl's ``Workbook``, ``csv.writer``/``csv.DictWriter`` or another spreadsheet writer outside
    ``core/spreadsheets.py``."""
    problems = []
    for path in _sources() if sources is None else sources:
        relative = _relative(path) if path.is_relative_to(ROOT) else path.name
        if relative == SPREADSHEET_WRITER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            found = ""
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in {"openpyxl", "csv",
                                                                                                "xlsxwriter"}:
                found = ", ".join(alias.name for alias in node.names if alias.name in WRITER_NAMES)
            elif isinstance(node, ast.Import):
                found = ", ".join(alias.name for alias in node.names if alias.name.split(".")[0] == "xlsxwriter")
            elif isinstance(node, ast.Attribute) and node.attr in WRITER_NAMES and isinstance(node.value, ast.Name) \
                    and node.value.id in {"csv", "openpyxl"}:
                found = f"{node.value.id}.{node.attr}"
            if found:
                problems.append(f"{relative}:{node.lineno}: {found}")
    return problems


def test_spreadsheets_are_written_only_by_the_one_writer():
    assert spreadsheet_writer_violations() == [], "write XLSX and CSV through zhurnal.core.spreadsheets"


def test_apps_import_only_lower_layers():
    assert import_violations() == []


def test_views_open_no_transaction_and_lock_no_row():
    found = transaction_violations()
    assert found - ALLOWED == set(), "views must leave transactions and row locks to services"


def test_sql_and_cursors_only_in_queries_modules():
    found = sql_violations()
    assert found - ALLOWED == set(), "hand-written SQL belongs in the app's queries.py (or core/sql.py)"


def test_the_allow_list_holds_only_what_is_still_there():
    assert ALLOWED - transaction_violations() - sql_violations() == set()


def test_the_checks_catch_what_they_are_for(tmp_path):
    """The checks themselves: SQL text, a cursor and a docstring that merely mentions SELECT."""
    sample = ast.parse('"""SELECT a FROM b in a docstring is prose."""\n'
                       'def f(connection):\n    return connection.cursor()\n')
    assert not any(SQL_TEXT.search(text) for text in _strings(ast.parse("x = 'Selected from the list'")))
    assert any(SQL_TEXT.search(text) for text in _strings(ast.parse("x = f'SELECT {a} FROM t WHERE id = %s'")))
    assert any(isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "cursor" for node in ast.walk(sample))
    writers = tmp_path / "writers.py"
    writers.write_text("import csv\nfrom openpyxl import Workbook, load_workbook\nw = csv.writer(f)\n"
                       "r = csv.reader(f)\n", encoding="utf-8")
    assert [p.split(":", 1)[1] for p in spreadsheet_writer_violations([writers])] == ["2: Workbook", "3: csv.writer"]
    reads = tmp_path / "reads.py"
    reads.write_text("a = row[14]\nb = r[-1]\nc = row[:-1]\nd = row.pk\ne = rows[0]\nf = row[i]\n"
                     "g = row['name']\npk, name = row\n", encoding="utf-8")
    assert [p.split(":", 1)[1] for p in positional_row_reads([reads])] == [
        "1: row[14]", "2: r[-1]", "3: row[:-1]"]
    assert RANK["core"] < RANK["audit"] < RANK["accounts"] < RANK["school"] < RANK["journal"] < RANK["diary"]
    typed = ast.parse("def f(*, actor: User | None, other: Any): ...").body[0]
    loose = ast.parse("def g(*, actor: Any): ...").body[0]
    assert isinstance(typed, ast.FunctionDef) and isinstance(loose, ast.FunctionDef)
    assert {n.id for n in ast.walk(typed.args.kwonlyargs[0].annotation) if isinstance(n, ast.Name)} & USER_TYPES
    assert not {n.id for n in ast.walk(loose.args.kwonlyargs[0].annotation) if isinstance(n, ast.Name)} & USER_TYPES
