"""What the console commands print: the same facts as the page, in plain lines."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from .models import BackupRun, RestoreDrill
from .selectors import BackupStatus


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d.%m.%Y %H:%M}" if moment else "—"


def describe_run(run: BackupRun) -> list[str]:
    seconds = run.figures.get("seconds", {})
    lines = [f"Копия {_when(run.started_at)} ({run.get_kind_display()}): "
             f"{'записана' if run.ok else 'НЕ СДЕЛАНА'}"]
    if run.file_name and run.size:
        lines.append(f"  файл {run.file_name}, {filesizeformat(run.size)}"
                     f"{', зашифрована' if run.encrypted else ''}; SHA-256 {run.sha256}")
    if "rows" in run.figures:
        lines.append(f"  строк {run.figures['rows']} в {run.figures['tables']} таблицах, загруженных файлов "
                     f"{run.figures.get('media_files', 0)}; время {seconds.get('total', 0):.1f} с "
                     f"(снимок {seconds.get('snapshot', 0):.1f}, архив {seconds.get('archive', 0):.1f}, "
                     f"запись {seconds.get('write', 0):.1f})")
    for copy in run.copies.order_by("id"):
        state = f"записана и проверена: {copy.path}" if copy.ok else f"не записана: {copy.error}"
        pruned = f"; удалено старых копий: {copy.pruned}" if copy.pruned else ""
        lines.append(f"  {copy.label or copy.destination}: {state}{pruned}")
    if run.error:
        lines.append(f"  ошибка: {run.error}")
    return lines


def describe_drill(drill: RestoreDrill) -> list[str]:
    lines = [f"Проверка восстановления {_when(drill.started_at)}: {'успешно' if drill.ok else 'НЕ ПРОШЛА'}",
             f"  копия: {drill.copy_path or '—'} (сделана {_when(drill.copy_taken_at)})"]
    figures = drill.figures
    if drill.ok:
        seconds = figures.get("seconds", {})
        lines.append(f"  восстановлено в {figures.get('target')}: {figures.get('rows')} строк в "
                     f"{figures.get('tables')} таблицах, {figures.get('media_files')} загруженных файлов, "
                     f"{filesizeformat(figures.get('size', 0))}")
        lines.append(f"  числа строк и контрольные суммы совпали ({', '.join(f'{k}: {v}' for k, v in figures.get('hashes', {}).items())})")
        lines.append(f"  время {seconds.get('total', 0):.1f} с (проверка и распаковка {seconds.get('check', 0):.1f}, "
                     f"восстановление {seconds.get('restore', 0):.1f}, сверка {seconds.get('verify', 0):.1f})")
    else:
        lines.append(f"  причина: {drill.error}")
    return lines


def describe_status(status: BackupStatus) -> list[str]:
    lines = []
    for item in status.destinations:
        last = item.last_ok
        lines.append(f"{item.name} ({item.destination.path}): "
                     f"{'подключён' if item.state.ready else 'недоступен — ' + item.state.problem}; "
                     f"последняя копия {_when(last.run.started_at) if last else 'не было'}")
    drill = status.last_drill
    lines.append(f"Последняя проверка восстановления: {_when(drill.started_at) if drill else 'не было'}"
                 f"{'' if drill is None else (' — успешно' if drill.ok else ' — не прошла')}")
    lines.append(f"Шифрование: {'включено' if status.encrypted else 'выключено'}; следующая копия по расписанию "
                 f"{_when(status.next_slot)}")
    if status.warnings:
        lines.append("Требует внимания:")
        lines += [f"  - {w}" for w in status.warnings]
    else:
        lines.append("Всё по расписанию.")
    return lines
