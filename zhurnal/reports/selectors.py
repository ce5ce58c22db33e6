"""Reads of the reports app's own rows: a user's report files, the department's view of its schools' figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from .documents import Col, Document, Row, Section, Table
from .metrics import Quality
from .models import Department, ReportJob, SchoolSnapshot
from .permissions import departments_of, schools_for_municipal


def recent_jobs(user, limit: int = 10) -> QuerySet[ReportJob]:
    return ReportJob.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


@dataclass
class MunicipalOverview:
    departments: list[Department]
    document: Document
    missing: int  # schools without figures yet


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def municipal_overview(user) -> MunicipalOverview:
    """Every school of the official's departments with its snapshot's figures — three queries whatever the number
    of schools. Numbers only: the snapshots hold no names of pupils."""
    departments = list(departments_of(user))
    schools = list(schools_for_municipal(user))
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.filter(school__in=schools)}
    rows = []
    totals = {"pupils": 0, "n": 0, "missed": 0, "held": 0}
    success_n = quality_n = 0.0
    for school in schools:
        snapshot = snapshots.get(school.pk)
        data = snapshot.data if snapshot else {}
        rows.append(Row([school.short_name, data.get("pupils"), data.get("classes"), data.get("period", ""),
                         data.get("n"), _dec(data.get("success")), _dec(data.get("quality")), _dec(data.get("sou")),
                         _dec(data.get("mean")), _dec(data.get("missed_share")), data.get("days"),
                         _dec(data.get("filled_share")), _dec(data.get("families_share")),
                         _dec(data.get("parents_activated")), _dec(data.get("teachers_working")),
                         snapshot.computed_at.strftime("%d.%m.%Y %H:%M") if snapshot else "не рассчитано"]))
        if data:
            totals["pupils"] += data.get("pupils") or 0
            totals["n"] += data.get("n") or 0
            success_n += (data.get("success") or 0) * (data.get("n") or 0) / 100
            quality_n += (data.get("quality") or 0) * (data.get("n") or 0) / 100
    total = Quality(n=totals["n"])
    def share(part):
        return (None if not totals["n"] else Decimal(str(round(100 * part / totals["n"], 1))))
    rows.append(Row(["Итого", totals["pupils"], None, "", total.n, share(success_n), share(quality_n), None, None,
                     None, None, None, None, None, None, ""], kind="total"))
    columns = [Col("Школа", width=30), Col("Обучающихся", "int", 9), Col("Классов", "int", 7),
               Col("Период", width=12), Col("N", "int", 6), Col("Успеваемость, %", "pct", 9),
               Col("Качество, %", "pct", 9), Col("СОУ, %", "pct", 7), Col("Средний балл", "dec", 7),
               Col("Пропущено уроков, %", "pct", 9), Col("Пропущено дней", "int", 8),
               Col("Уроки с темой, %", "pct", 8), Col("Семьи читают дневник, %", "pct", 9),
               Col("Родители активировали вход, %", "pct", 10), Col("Учителя работают в системе, %", "pct", 10),
               Col("Рассчитано", width=16)]
    document = Document(title="Показатели школ", school=", ".join(d.name for d in departments),
                        subtitle=f"школ: {len(schools)}", filename="pokazateli-shkol")
    document.sections.append(Section(tables=[Table("", columns, rows, sheet="Школы")]))
    document.footnotes = ["Сводные показатели без персональных данных. Успеваемость и качество — за последний "
                          "завершившийся период; итог по муниципалитету взвешен по N.",
                          "Пропуски — с начала учебного года; семьи — за последнюю полную неделю."]
    return MunicipalOverview(departments=departments, document=document,
                             missing=sum(1 for s in schools if s.pk not in snapshots))
