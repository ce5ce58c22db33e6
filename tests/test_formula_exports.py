"""No file the application writes for people runs a formula (issue 17, «Formula injection»).

The test school gets a pupil named ``=HYPERLINK("http://x","y")``, a teacher «@SUM(A1)», a guardian «+7…» and a
substitution for the reason «-2+3»; then every export is downloaded — class lists, import templates, the
activation-code list, the substitution log, the working-time sheet, the timetable template, КТП, every report in
XLSX and CSV — and read back: no XLSX cell is a formula (``<f>`` in the sheet's XML, openpyxl's data type «f»),
no CSV cell begins with = + - @ unless it is a plain number. A spy on the one writer (``core.spreadsheets``) checks
that the walk reached every module that writes a spreadsheet, so a new export is walked or this test fails.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.matrix_world import build_world
from zhurnal.core import spreadsheets

ROOT = Path(__file__).resolve().parent.parent
PUPIL = '=HYPERLINK("http://x","y")'
REASON = "-2+3"
TEACHER = "@SUM(A1)"
TOPIC = "=1+1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WRITERS = ("write_workbook", "write_xlsx", "write_csv")
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker, tmp_path_factory):
    from zhurnal.planning.models import PlannedTopic
    from zhurnal.school.models import Guardian, StaffMember, Student
    from zhurnal.timetable.models import Substitution

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world()
            Student.objects.filter(pk=w["student"].pk).update(last_name=PUPIL, patronymic=REASON)
            StaffMember.objects.filter(pk=w["staff_teacher"].pk).update(last_name=TEACHER)
            Guardian.objects.filter(pk=w["guardian"].pk).update(last_name="+cmd|' /C calc'!A0")
            Substitution.objects.filter(pk=w["substitution"].pk).update(reason=REASON, note="=2+5")
            PlannedTopic.objects.filter(pk=w["topic"].pk).update(title=TOPIC)
            cache.clear()
            clients = {}
            for persona in ("admin", "director", "deputy", "teacher"):
                clients[persona] = Client()
                clients[persona].force_login(w[f"user_{persona}"])
            yield w, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def assert_no_formula(content: bytes, content_type: str, where: str) -> str:
    """Every cell of the file as text (to look for the poisoned values); fails on any formula."""
    texts = []
    if content_type.startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    assert "<f>" not in archive.read(name).decode() and "<f " not in archive.read(name).decode(), \
                        f"{where}: a formula in {name}"
        book = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{where}: {sheet.title}!{cell.coordinate} is a formula {cell.value}"
                    if cell.value is not None:
                        texts.append(str(cell.value))
    else:
        text = content.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
            for value in row:
                assert not value.startswith(spreadsheets.FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(value), \
                    f"{where}: CSV cell {value!r} would run as a formula"
                texts.append(value)
    return "\n".join(texts)


def writer_modules() -> set[str]:
    """Modules (outside core/spreadsheets.py) that call the one writer."""
    found = set()
    for path in sorted((ROOT / "zhurnal").rglob("*.py")):
        if "tests" in path.parts or path.name == "spreadsheets.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                target = node.func.value.id if isinstance(node.func, ast.Attribute) and isinstance(
                    node.func.value, ast.Name) else ""
                if name in WRITERS and (target in ("", "spreadsheets") and _imports_writer(tree)):
                    found.add(path.relative_to(ROOT).with_suffix("").as_posix().replace("/", "."))
    return found


def _imports_writer(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("zhurnal.core.spreadsheets", "zhurnal.core") \
                and any(alias.name in (*WRITERS, "spreadsheets") for alias in node.names):
            return True
    return False


@pytest.mark.django_db
def test_every_export_neutralises_formulas(poisoned, monkeypatch):
    from zhurnal.reports import catalog
    from zhurnal.reports.jobs import run_job
    from zhurnal.reports.models import ReportJob

    w, clients = poisoned
    callers: set[str] = set()
    for name in WRITERS:
        original = getattr(spreadsheets, name)

        def spy(*args, _original=original, **kwargs):
            for frame in inspect.stack()[1:]:
                module = frame.frame.f_globals.get("__name__", "")
                if module != "zhurnal.core.spreadsheets":
                    callers.add(module)
                    break
            return _original(*args, **kwargs)

        monkeypatch.setattr(spreadsheets, name, spy)
        for module in list(sys.modules.values()):  # ``from zhurnal.core.spreadsheets import write_csv`` too
            if getattr(module, "__name__", "").startswith("zhurnal.") and getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, spy)

    files: dict[str, str] = {}

    def fetch(persona: str, url: str, *, data: dict | None = None) -> None:
        client = clients[persona]
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 200, f"{url} as {persona}: {response.status_code}"
        content_type = response["Content-Type"]
        assert content_type.startswith((XLSX, "text/csv")), f"{url}: {content_type}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        files[url + (f" {data}" if data else "")] = assert_no_formula(content, content_type, url)

    for kind in ("students", "staff", "guardians"):
        for file_format in ("xlsx", "csv"):
            fetch("admin", reverse("school:export_download", kwargs={"kind": kind, "file_format": file_format}))
            fetch("admin", reverse("school:import_template", kwargs={"kind": kind, "file_format": file_format}))
    fetch("admin", reverse("school:class_issue", args=[w["class_5a"].pk]),
          data={"scope": "all", "format": "list_xlsx"})
    fetch("admin", reverse("timetable:substitution_log") + "?format=xlsx&from=2026-11-01&to=2026-11-30")
    fetch("admin", reverse("timetable:timesheet") + "?format=xlsx&month=2026-11")
    fetch("admin", reverse("timetable:csv_template"))
    for name in ("planning:export_xlsx", "planning:export_csv"):
        fetch("teacher", reverse(name, args=[w["plan"].pk]))
    for name in ("planning:template_xlsx", "planning:template_csv"):
        fetch("teacher", reverse(name))
    for spec in catalog.ALL.values():
        for file_format in ("xlsx", "csv"):
            if file_format not in spec.formats:
                continue
            persona = "deputy" if spec.key == "control" else "director"
            if not spec.background:
                fetch(persona, reverse(f"reports:{spec.key}") + f"?format={file_format}")
                continue
            response = clients[persona].post(reverse("reports:export", args=[spec.key]), {"format": file_format})
            assert response.status_code == 302, spec.key
            job = ReportJob.objects.filter(user=w[f"user_{persona}"], report=spec.key).latest("pk")
            run_job(job.pk)
            fetch(persona, reverse("reports:job_file", args=[job.pk]))

    everything = "\n".join(files.values())
    assert [v for v in (PUPIL, REASON, TEACHER, TOPIC) if v not in everything] == []
    csv_texts = "\n".join(text for url, text in files.items() if "csv" in url)
    assert "'" + PUPIL in csv_texts and "'" + REASON in csv_texts  # guarded, the text itself kept
    missed = writer_modules() - callers
    assert not missed, f"exports not walked by this test (add their URLs): {sorted(missed)}"
