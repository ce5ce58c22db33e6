"""Reading КТП files the way teachers make them, and writing them back without losing anything."""

import dataclasses
import io
from pathlib import Path

import openpyxl
import pytest

from zhurnal.planning import services
from zhurnal.planning.exchange import (
    HEADERS,
    SAMPLE_ITEMS,
    SectionItem,
    TopicItem,
    parse_plan_file,
    to_csv,
    to_xlsx,
)

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


def xlsx(rows, merges=(), title_rows=()):
    """A workbook from lists of cell values; ``merges`` are ranges such as "A2:F2"."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(lines, encoding="utf-8"):
    return "\r\n".join(lines).encode(encoding)


def outline(parsed):
    """The parsed plan as short tuples: ("S", title) or ("T", title, hours)."""
    return [("S", item.title) if isinstance(item, SectionItem) else ("T", item.title, item.hours)
            for item in parsed.items]


def errors(parsed):
    return [(e.row, e.column.split(" ")[0] if e.column else "", e.message) for e in parsed.errors]


def without_row(item):
    return dataclasses.replace(item, row=None)


def sheet_cells(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return cells, sorted(str(r) for r in sheet.merged_cells.ranges)


# --- tolerant reading --------------------------------------------------------------------------------------


def test_canonical_xlsx_reads_sections_topics_and_every_field():
    parsed = parse_plan_file(to_xlsx(SAMPLE_ITEMS), "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert [without_row(item) for item in parsed.items] == SAMPLE_ITEMS
    topic = parsed.topics[3]
    assert (topic.title, topic.hours, topic.homework) == (
        "Умножение и деление натуральных чисел", 3, "§ 4, № 120, 124\nПовторить таблицу умножения")
    assert parsed.topics[2].control == "Самостоятельная работа"
    assert parsed.total_hours == sum(i.hours for i in SAMPLE_ITEMS if isinstance(i, TopicItem))


def test_title_lines_empty_rows_other_column_names_and_extra_columns_are_tolerated():
    data = xlsx(
        title_rows=[["Календарно-тематическое планирование"], ["Математика, 5 класс, 2026/2027"], []],
        rows=[
            ["№ п/п", "Тема урока", "Кол-во часов", "Дата по плану", "Д/з", "Формы контроля"],
            [],
            ["Раздел 1. Натуральные числа"],
            [1, "Ряд натуральных чисел", 2, "02.09", "§ 1", ""],
            [None, None, None, None, None, None],
            [2, "Сложение", "3 ч.", "09.09", "§ 2", "Самостоятельная работа"],
        ],
    )
    parsed = parse_plan_file(data, "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("S", "Раздел 1. Натуральные числа"), ("T", "Ряд натуральных чисел", 2),
                               ("T", "Сложение", 3)]
    assert parsed.topics[1].control == "Самостоятельная работа"
    assert parsed.topics[1].homework == "§ 2"
    assert any("«Дата по плану»" in w for w in parsed.warnings)


def test_section_merged_across_the_row_is_a_section_wherever_its_text_sits():
    data = xlsx(
        rows=[list(HEADERS), ["", "Дроби", "", "", "", ""], [1, "Понятие дроби", 1], [2, "Сравнение дробей", 1]],
        merges=["B2:F2"],
    )
    parsed = parse_plan_file(data, "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("S", "Дроби"), ("T", "Понятие дроби", 1), ("T", "Сравнение дробей", 1)]


def test_topic_merged_down_over_one_row_per_lesson_becomes_one_topic_of_those_hours():
    data = xlsx(
        rows=[list(HEADERS), [1, "Сложение дробей", 1], [2, None, 1], [3, None, 1], [4, "Вычитание дробей", 1]],
        merges=["B2:B4"],
    )
    parsed = parse_plan_file(data, "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("T", "Сложение дробей", 3), ("T", "Вычитание дробей", 1)]


def test_topic_and_hours_merged_down_count_the_hours_once():
    data = xlsx(rows=[list(HEADERS), [1, "Сложение дробей", 2], [2, None, None], [3, "Вычитание", 1]],
                merges=["B2:B3", "C2:C3"])
    parsed = parse_plan_file(data, "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("T", "Сложение дробей", 2), ("T", "Вычитание", 1)]


def test_separate_section_column_starts_a_section_when_it_changes():
    data = xlsx(rows=[["Раздел", "№", "Тема урока", "Часов"],
                      ["Числа", 1, "Натуральные числа", 2],
                      [None, 2, "Сложение", 1],
                      ["Дроби", 3, "Дробь", 1]],
                merges=["A2:A3"])
    parsed = parse_plan_file(data, "ktp.xlsx")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("S", "Числа"), ("T", "Натуральные числа", 2), ("T", "Сложение", 1),
                               ("S", "Дроби"), ("T", "Дробь", 1)]


def test_lesson_number_ranges_give_the_hours_when_there_is_no_hours_column():
    data = csv_bytes(["№;Тема урока", "1-2;Натуральные числа", "3;Сложение", "4—6;Вычитание"])
    parsed = parse_plan_file(data, "ktp.csv")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("T", "Натуральные числа", 2), ("T", "Сложение", 1), ("T", "Вычитание", 3)]


def test_cp1251_csv_with_semicolons_reads_cyrillic():
    lines = ["№;Раздел, тема урока;Часов;Вид контроля;Домашнее задание;Материалы",
             "Натуральные числа и нуль;;;;;",
             "1;Ряд натуральных чисел;1;;§ 1, № 5;Учебник",
             "2–3;Сложение и вычитание;2;Самостоятельная работа;§ 2;"]
    parsed = parse_plan_file(csv_bytes(lines, "cp1251"), "ktp.csv")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("S", "Натуральные числа и нуль"), ("T", "Ряд натуральных чисел", 1),
                               ("T", "Сложение и вычитание", 2)]
    assert parsed.topics[0].homework == "§ 1, № 5"
    assert parsed.topics[1].control == "Самостоятельная работа"


def test_comma_separated_utf8_csv_with_quotes_reads_too():
    data = csv_bytes(['"№","Тема урока","Часов"', '1,"Сложение, вычитание",2'], "utf-8-sig")
    parsed = parse_plan_file(data, "ktp.csv")
    assert parsed.ok, parsed.errors
    assert outline(parsed) == [("T", "Сложение, вычитание", 2)]


# --- errors: row, column, what ---------------------------------------------------------------------------


def test_wrong_hours_are_reported_with_row_and_column():
    data = csv_bytes(["№;Тема урока;Часов",
                      "1;Натуральные числа;",
                      "2;Сложение;1,5",
                      "3;Вычитание;0",
                      "4;Умножение;два",
                      "5-6;Деление;3"])
    parsed = parse_plan_file(data, "ktp.csv")
    assert not parsed.ok
    assert errors(parsed) == [
        (2, "C", "не указано количество часов."),
        (3, "C", "«1,5» — дробное число часов; укажите целое число уроков."),
        (4, "C", "количество часов должно быть не меньше 1."),
        (5, "C", "«два» — не число часов; укажите целое число уроков."),
        (6, "C", "номер «5-6» — это 2 урока, а часов указано 3."),
    ]
    assert "столбец C «Часов»" in str(parsed.errors[0])


def test_section_hours_that_differ_from_its_topics_are_an_error():
    data = csv_bytes(["№;Тема урока;Часов", "Раздел 1. Числа;;5", "1;Натуральные числа;2", "2;Сложение;2",
                      "Раздел 2. Дроби;;1", "3;Дробь;1"])
    parsed = parse_plan_file(data, "ktp.csv")
    assert errors(parsed) == [(2, "C", "у раздела «Раздел 1. Числа» указано 5 ч, а сумма часов его тем — 4 ч.")]


def test_duplicate_numbers_are_reported_with_the_first_row():
    data = csv_bytes(["№;Тема урока;Часов", "1;Натуральные числа;1", "2;Сложение;1", "2.;Вычитание;1",
                      "3–4;Умножение;2", "3-4;Деление;2"])
    parsed = parse_plan_file(data, "ktp.csv")
    assert errors(parsed) == [(4, "A", "номер «2.» уже есть в строке 3."),
                              (6, "A", "номер «3-4» уже есть в строке 5.")]


def test_topic_without_title_is_an_error():
    data = csv_bytes(["№;Тема урока;Часов", "1;;2", "2;Сложение;1"])
    assert errors(parse_plan_file(data, "ktp.csv")) == [(2, "B", "не указана тема урока.")]


def test_file_without_a_header_or_topics_or_not_a_table_is_refused_with_a_reason():
    no_header = parse_plan_file(csv_bytes(["1;Сложение;2"]), "ktp.csv")
    assert "Не найдена строка заголовков" in no_header.errors[0].message
    no_topics = parse_plan_file(csv_bytes(["№;Тема урока;Часов", "Раздел 1;;"]), "ktp.csv")
    assert no_topics.errors[0].message == "В файле нет ни одной темы урока."
    picture = parse_plan_file(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "ktp.png")
    assert "не является таблицей" in picture.errors[0].message
    old_excel = parse_plan_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "ktp.xls")
    assert "Excel 97–2003" in old_excel.errors[0].message


def test_file_over_the_size_limit_is_refused(settings):
    settings.ZHURNAL_MAX_IMPORT_BYTES = 100
    parsed = parse_plan_file(to_xlsx(SAMPLE_ITEMS), "ktp.xlsx")
    assert "больше" in parsed.errors[0].message and not parsed.items


# --- writing and the round trip ---------------------------------------------------------------------------


def test_export_writes_sections_merged_and_topics_numbered_by_lesson():
    cells, merges = sheet_cells(to_xlsx(SAMPLE_ITEMS))
    assert cells[0] == list(HEADERS)
    assert cells[1][0] == "Натуральные числа и нуль" and "A2:F2" in merges
    assert cells[2][:3] == ["1–2", "Ряд натуральных чисел. Десятичная запись натуральных чисел", 2]
    assert cells[6][:3] == [11, "Степень с натуральным показателем", 1]


def test_formula_like_text_stays_text_in_both_formats():
    items = [TopicItem("=СУММ(A1:A2)", 1, "", "-повторить § 1", "+ учебник")]
    cells, _ = sheet_cells(to_xlsx(items))
    assert cells[1][1] == "=СУММ(A1:A2)"
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(items))).active["B2"].data_type == "s"
    assert "'=СУММ" in to_csv(items).decode("utf-8-sig")
    for data, name in ((to_xlsx(items), "k.xlsx"), (to_csv(items), "k.csv")):
        parsed = parse_plan_file(data, name)
        assert parsed.topics[0].title == "=СУММ(A1:A2)"
        assert parsed.topics[0].homework == "-повторить § 1"
        assert parsed.topics[0].materials == "+ учебник"


@pytest.mark.django_db
def test_sample_xlsx_round_trips_through_a_plan_cell_by_cell(ktp):
    original = (SAMPLES / "ktp-sample.xlsx").read_bytes()
    parsed = parse_plan_file(original, "ktp-sample.xlsx")
    assert parsed.ok, parsed.errors
    plan = services.import_plan(actor=None, items=parsed.items, assignment=ktp.math_5a)
    exported = to_xlsx(services.plan_items(plan))
    original_cells, original_merges = sheet_cells(original)
    exported_cells, exported_merges = sheet_cells(exported)
    assert len(exported_cells) == len(original_cells)
    for row_number, (left, right) in enumerate(zip(original_cells, exported_cells, strict=True), start=1):
        assert left == right, f"row {row_number}"
    assert exported_merges == original_merges


@pytest.mark.django_db
def test_sample_csv_round_trips_byte_for_byte(ktp):
    original = (SAMPLES / "ktp-sample.csv").read_bytes()
    parsed = parse_plan_file(original, "ktp-sample.csv")
    assert parsed.ok, parsed.errors
    plan = services.import_plan(actor=None, items=parsed.items, assignment=ktp.math_5a)
    assert to_csv(services.plan_items(plan)) == original


@pytest.mark.django_db
def test_a_plan_survives_export_and_import_in_both_formats(ktp):
    items = [SectionItem("Раздел"), TopicItem("Тема; с точкой с запятой", 4, "Тест", 'Д/з "в кавычках"\nвторая строка',
                                              "https://example.org/урок"), TopicItem("Ещё тема", 1)]
    plan = services.import_plan(actor=None, items=items, assignment=ktp.math_5a)
    for writer, name in ((to_xlsx, "k.xlsx"), (to_csv, "k.csv")):
        again = parse_plan_file(writer(services.plan_items(plan)), name)
        assert again.ok, again.errors
        assert [(type(i), i.title, getattr(i, "hours", None), getattr(i, "homework", None)) for i in again.items] == \
               [(type(i), i.title, getattr(i, "hours", None), getattr(i, "homework", None)) for i in items]


# --- a КТП as schools export it: a totals row -------------------------------------------------------------------

EXPORTED_KTP_TITLE = [["Календарно-тематическое планирование по математике"], ["5 А класс, 2026/2027 учебный год"],
                      []]
EXPORTED_KTP = [
    ["№ урока", "Раздел, тема урока", "Кол-во часов", "Дата", "Домашнее задание"],
    ["Раздел 1. Натуральные числа", None, None, None, None],
    ["1–2", "Ряд натуральных чисел", 2, "02.09", "§ 1"],
    ["3–5", "Сложение и вычитание", 3, "05.09", "§ 2, № 40"],
    ["Итого по разделу", None, 5, None, None],
    ["Раздел 2. Дроби", None, None, None, None],
    ["6", "Понятие дроби", 1, "12.09", "§ 3"],
    ["7–8", "Сравнение дробей", 2, "13.09", "§ 4"],
    ["Итого за 1 четверть", None, 8, None, None],
    [None, "ИТОГО:", "8 ч", None, None],
]


def test_a_ktp_with_a_totals_row_imports_and_the_total_is_checked():
    parsed = parse_plan_file(xlsx(EXPORTED_KTP, merges=["A5:E5", "A9:E9"], title_rows=EXPORTED_KTP_TITLE),
                             "КТП математика 5А.xlsx")
    assert parsed.ok, parsed.errors
    assert [t.title for t in parsed.topics] == ["Ряд натуральных чисел", "Сложение и вычитание", "Понятие дроби",
                                                "Сравнение дробей"]  # «Итого» is never a topic
    assert parsed.total_hours == 8
    assert any("итог за часть года" in w for w in parsed.warnings)


def test_a_totals_row_that_differs_from_the_sum_is_an_error():
    rows = [list(row) for row in EXPORTED_KTP]
    rows[-1] = [None, "ИТОГО:", "9 ч", None, None]
    rows[4] = ["Итого по разделу", None, 6, None, None]
    parsed = parse_plan_file(xlsx(rows, title_rows=EXPORTED_KTP_TITLE), "ktp.xlsx")
    messages = [e.message for e in parsed.errors]
    assert any("указано 9 ч, а сумма часов тем — 8 ч" in m for m in messages), messages
    assert any("указано 6 ч, а сумма часов его тем — 5 ч" in m for m in messages), messages
