"""The days of the week view and the marks of the subject view as HTML, in small functions that escape every
value.

These are the families' hottest pages: their frames stay in templates, the days (a few dozen lessons with marks
and homework) and a period's marks with the average worked out are joined here, which is an order of magnitude
faster than the template language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from zhurnal.core.templatetags.zhurnal import ru_date, ru_short

from .selectors import DiaryDay, DiaryLesson, HomeworkItem, SubjectSection
from .templatetags.diary import avg, num


def _text(value: str) -> str:
    """Escaped, with line breaks kept (as ``linebreaksbr``)."""
    return escape(value).replace("\r\n", "\n").replace("\n", "<br>")


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


class WeekRenderer:
    def __init__(self, student_id: int) -> None:
        self.student_id = student_id
        # URL prefixes with placeholders, reversed once (reverse() per lesson is costly).
        self.subject_url = reverse("diary:subject", args=[student_id, 0])[:-2]
        self.file_url = reverse("diary:attachment", args=[student_id, 0])[:-2]

    def homework(self, hw: HomeworkItem, *, with_origin: bool = False) -> str:
        """``with_origin``: two lessons set homework due at this one — each says which lesson set it."""
        label = f"Домашнее задание (задано {ru_short(hw.given_on)}):" if with_origin else "Домашнее задание:"
        out = [f'<div class="hw"><span class="hw-label">{label}</span> {_text(hw.text or "см. файлы")}']
        if hw.individual:
            out.append(f'<div class="hw-own"><span class="hw-label">Лично тебе:</span> {_text(hw.individual)}</div>')
        if hw.files:
            out.append('<ul class="files">')
            for f in hw.files:
                out.append(f'<li><a href="{self.file_url}{f.pk}/">{escape(f.name)}</a> '
                           f'<span class="muted small">{escape(filesizeformat(f.size))}</span></li>')
            out.append("</ul>")
        out.append("</div>")
        return "".join(out)

    def lesson(self, item: DiaryLesson) -> str:
        out = [f'<li class="lesson{" cancelled" if item.cancelled else ""}">',
               f'<div class="when"><b>{item.number}</b>']
        if item.start is not None:
            out.append(f"<span>{_time(item.start)}</span><span>{_time(item.end)}</span>")
        out.append('</div><div class="what"><div class="subject-line">'
                   f'<a href="{self.subject_url}{item.subject_id}/">{escape(item.subject)}</a>')
        if item.room:
            out.append(f' <span class="muted small">каб. {escape(item.room)}</span>')
        out.append(f'</div><div class="muted small">{escape(item.teacher)}')
        if item.substitution:
            out.append(f' <span class="badge warn">{escape(item.substitution)}</span>')
        out.append("</div>")
        if item.topic:
            out.append(f'<div class="topic"><span class="muted">Тема:</span> {escape(item.topic)}</div>')
        out.extend(self.homework(hw, with_origin=len(item.due) > 1) for hw in item.due)
        if item.given is not None:
            due = f" к {ru_short(item.given.due)}" if item.given.due else ""
            text = item.given.text or item.given.individual
            short = text if len(text) <= 160 else text[:159] + "…"
            out.append(f'<div class="hw-given small"><span class="muted">Задано{due}:</span> {escape(short)}</div>')
        out.append("</div>")
        if item.marks or item.absence:
            out.append('<div class="marks">')
            if item.absence:
                label = escape(item.absence_label)
                out.append(f'<span class="mark-item"><span class="absence" title="{label}">{escape(item.absence)}'
                           f'</span> <span class="small muted">{label}</span></span>')
            for mark in item.marks:
                control = " control" if mark.is_control else ""
                comment = f" — <i>{escape(mark.comment)}</i>" if mark.comment else ""
                out.append(f'<span class="mark-item"><span class="mark m{escape(mark.value)}{control}">'
                           f'{escape(mark.text)}</span> <span class="small">{escape(mark.work_type)}{comment}</span>'
                           "</span>")
            out.append("</div>")
        out.append("</li>")
        return "".join(out)

    def day(self, day: DiaryDay) -> str:
        classes = "card diary-day" + (" today" if day.is_today else "") + (" holiday" if day.holiday else "")
        current = ' aria-current="date"' if day.is_today else ""
        out = [f'<section class="{classes}" id="day-{day.date:%Y-%m-%d}"{current}>',
               f"<h2>{escape(day.weekday.capitalize())}, {ru_date(day.date)}"]
        if day.is_today:
            out.append(' <span class="badge ok">сегодня</span>')
        out.append("</h2>")
        if day.holiday:
            out.append(f'<p class="holiday-name">{escape(day.holiday)}</p>')
        if day.lessons:
            out.append('<ol class="lessons">')
            out.extend(self.lesson(item) for item in day.lessons)
            out.append("</ol>")
        elif not day.holiday:
            out.append('<p class="muted">Уроков нет.</p>')
        for hw in day.due_elsewhere:
            out.append(f'<p class="hw"><span class="hw-label">Сдать по предмету «{escape(hw.subject)}»:</span> '
                       f'{_text(hw.text or hw.individual)} <span class="muted small">(задано '
                       f'{ru_short(hw.given_on)})</span></p>')
        out.append("</section>")
        return "".join(out)


def render_days(days: Iterable[DiaryDay], *, student_id: int) -> SafeString:
    renderer = WeekRenderer(student_id)
    return mark_safe("\n".join(renderer.day(day) for day in days))  # noqa: S308 - every value is escaped above


def render_marks(section: SubjectSection) -> SafeString:
    """A subject's marks in a period, each with its weight and what it adds, and how the weighted average
    follows from them: «(5×1 + 4×2) / (1 + 2) = 13 / 3 = 4,33»."""
    out = ['<table class="list marks-table"><thead><tr><th>Дата</th><th>Отметка</th><th>Вид работы</th>'
           '<th class="num">Учёт</th></tr></thead><tbody>']
    for line in section.lines:
        weight = num(line.weight)
        control = " control" if line.is_control else ""
        comment = f'<div class="small"><i>{escape(line.comment)}</i></div>' if line.comment else ""
        counted = (f"{num(line.number)}×{weight}" if line.counted
                   else f'<span class="muted">{escape(line.note)}</span>')
        row_class = "" if line.counted else ' class="not-counted"'
        out.append(f'<tr{row_class}><td>{line.date:%d.%m}</td>'
                   f'<td><span class="mark m{escape(line.value)}{control}">{escape(line.text)}</span></td>'
                   f'<td>{escape(line.work_type)} <span class="muted small">(вес {weight})</span>{comment}</td>'
                   f'<td class="num small">{counted}</td></tr>')
    out.append("</tbody></table>")
    average = section.average
    out.append(f'<div class="computation" id="computation-{section.assignment.pk}"><h4>Как получен средний балл</h4>')
    if average.value is not None:
        counted_lines = section.counted
        products = " + ".join(f"{num(line.number)}×{num(line.weight)}" for line in counted_lines)
        weights = " + ".join(num(line.weight) for line in counted_lines)
        out.append("<p>Средний взвешенный балл = сумма (отметка × вес) / сумма весов:</p>"
                   f'<p class="formula">({products}) / ({weights}) = {num(section.numerator)} / '
                   f"{num(average.weight_sum)} = <b>{avg(average.value)}</b></p>")
        if average.count != average.total:
            out.append(f'<p class="muted small">Учтено отметок: {average.count} из {average.total}.</p>')
    else:
        out.append('<p class="muted">Отметок, которые учитываются в среднем, пока нет.</p>')
    out.append(f"<p>{escape(section.suggestion.explanation)}</p></div>")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above
