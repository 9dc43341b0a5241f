"""Parsing and writing yearly holiday arrangements (holiday-cn JSON, Excel, chinese_calendar)."""

import io
import json
from datetime import date, datetime, timedelta

import openpyxl
import pytest

import config
from app.domain.calendar_files import (
    CalendarDay,
    ParseProblem,
    chinese_calendar_years,
    days_from_chinese_calendar,
    parse_calendar_xlsx,
    parse_holiday_cn_json,
    write_calendar_xlsx,
)
from app.domain.upload_checks import SheetLimits
from app.domain.workdays import WorkCalendar

# The 2026 arrangement (国办发明电〔2025〕7号) in holiday-cn's file format.
HOLIDAY_CN_2026 = """{
    "$schema": "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json",
    "$id": "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/2026.json",
    "year": 2026,
    "papers": ["https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm"],
    "days": [
        {"name": "元旦", "date": "2026-01-01", "isOffDay": true},
        {"name": "元旦", "date": "2026-01-02", "isOffDay": true},
        {"name": "元旦", "date": "2026-01-03", "isOffDay": true},
        {"name": "元旦", "date": "2026-01-04", "isOffDay": false},
        {"name": "春节", "date": "2026-02-14", "isOffDay": false},
        {"name": "春节", "date": "2026-02-15", "isOffDay": true},
        {"name": "春节", "date": "2026-02-16", "isOffDay": true},
        {"name": "春节", "date": "2026-02-17", "isOffDay": true},
        {"name": "春节", "date": "2026-02-18", "isOffDay": true},
        {"name": "春节", "date": "2026-02-19", "isOffDay": true},
        {"name": "春节", "date": "2026-02-20", "isOffDay": true},
        {"name": "春节", "date": "2026-02-21", "isOffDay": true},
        {"name": "春节", "date": "2026-02-22", "isOffDay": true},
        {"name": "春节", "date": "2026-02-23", "isOffDay": true},
        {"name": "春节", "date": "2026-02-28", "isOffDay": false},
        {"name": "清明节", "date": "2026-04-04", "isOffDay": true},
        {"name": "清明节", "date": "2026-04-05", "isOffDay": true},
        {"name": "清明节", "date": "2026-04-06", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-01", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-02", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-03", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-04", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-05", "isOffDay": true},
        {"name": "劳动节", "date": "2026-05-09", "isOffDay": false},
        {"name": "端午节", "date": "2026-06-19", "isOffDay": true},
        {"name": "端午节", "date": "2026-06-20", "isOffDay": true},
        {"name": "端午节", "date": "2026-06-21", "isOffDay": true},
        {"name": "国庆节", "date": "2026-09-20", "isOffDay": false},
        {"name": "中秋节", "date": "2026-09-25", "isOffDay": true},
        {"name": "中秋节", "date": "2026-09-26", "isOffDay": true},
        {"name": "中秋节", "date": "2026-09-27", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-01", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-02", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-03", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-04", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-05", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-06", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-07", "isOffDay": true},
        {"name": "国庆节", "date": "2026-10-10", "isOffDay": false}
    ]
}"""

LIMITS = SheetLimits.from_settings(vars(config))


def _holiday_cn(year, days) -> str:
    return json.dumps({"year": year, "papers": [], "days": days}, ensure_ascii=False)


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _where(problems):
    return [(p.row, p.column) for p in problems]


def _year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year, 12, 31) - first).days + 1)]


# -- chinese_calendar -----------------------------------------------------------


def test_chinese_calendar_2026_deviations_are_exactly_the_notice():
    expected = [
        ("2026-01-01", False, "元旦"), ("2026-01-02", False, "元旦"), ("2026-01-04", True, "元旦"),
        ("2026-02-14", True, "春节"), ("2026-02-16", False, "春节"), ("2026-02-17", False, "春节"),
        ("2026-02-18", False, "春节"), ("2026-02-19", False, "春节"), ("2026-02-20", False, "春节"),
        ("2026-02-23", False, "春节"), ("2026-02-28", True, "春节"),
        ("2026-04-06", False, "清明节"),
        ("2026-05-01", False, "劳动节"), ("2026-05-04", False, "劳动节"), ("2026-05-05", False, "劳动节"),
        ("2026-05-09", True, "劳动节"),
        ("2026-06-19", False, "端午节"),
        ("2026-09-20", True, "国庆节"), ("2026-09-25", False, "中秋节"),
        ("2026-10-01", False, "国庆节"), ("2026-10-02", False, "国庆节"), ("2026-10-05", False, "国庆节"),
        ("2026-10-06", False, "国庆节"), ("2026-10-07", False, "国庆节"), ("2026-10-10", True, "国庆节"),
    ]
    assert days_from_chinese_calendar(2026) == [
        CalendarDay(date.fromisoformat(d), working, name) for d, working, name in expected
    ]


def test_chinese_calendar_2025_combined_national_day_and_mid_autumn_has_one_name():
    days = {d.date: d for d in days_from_chinese_calendar(2025)}
    for d in (date(2025, 9, 28), date(2025, 10, 6), date(2025, 10, 8), date(2025, 10, 11)):
        assert days[d].name == "国庆节、中秋节"
    assert days[date(2025, 1, 26)] == CalendarDay(date(2025, 1, 26), True, "春节")
    assert days[date(2025, 2, 8)] == CalendarDay(date(2025, 2, 8), True, "春节")
    assert days[date(2025, 4, 27)] == CalendarDay(date(2025, 4, 27), True, "劳动节")


def test_chinese_calendar_days_are_only_deviations_from_monday_to_friday():
    for year in (2025, 2026):
        for day in days_from_chinese_calendar(year):
            assert day.is_working == (day.date.weekday() >= 5)
            assert day.date.year == year


def test_chinese_calendar_names_are_chinese_for_every_known_year():
    for year in chinese_calendar_years():
        for day in days_from_chinese_calendar(year):
            assert day.name and not any("a" <= c.lower() <= "z" for c in day.name), day


def test_chinese_calendar_years_are_detected_from_the_package():
    years = chinese_calendar_years()
    assert years[0] == 2004 and 2026 in years and 2027 not in years


def test_chinese_calendar_rejects_a_year_it_does_not_know():
    with pytest.raises(ValueError):
        days_from_chinese_calendar(2027)


# -- holiday-cn JSON ----------------------------------------------------------


def test_holiday_cn_2026_file_parses_without_problems():
    year, days, problems = parse_holiday_cn_json(HOLIDAY_CN_2026)
    assert (year, problems, len(days)) == (2026, [], 39)
    assert CalendarDay(date(2026, 2, 14), True, "春节") in days
    assert CalendarDay(date(2026, 2, 15), False, "春节") in days


def test_holiday_cn_2026_file_gives_the_same_working_days_as_chinese_calendar():
    _, days, _ = parse_holiday_cn_json(HOLIDAY_CN_2026.encode("utf-8"))
    from_json = WorkCalendar.from_days(((d.date, d.is_working) for d in days), [2026])
    reference = WorkCalendar.from_days(
        ((d.date, d.is_working) for d in days_from_chinese_calendar(2026)), [2026]
    )
    assert all(from_json.is_working_day(d) == reference.is_working_day(d) for d in _year_days(2026))


def test_holiday_cn_file_full_of_errors_reports_every_problem_at_once():
    data = _holiday_cn(2026, [
        {"name": "元旦", "date": "2026-01-01", "isOffDay": True},   # 1 fine
        {"name": "春节", "date": "2026-13-01", "isOffDay": True},   # 2 bad date
        {"name": "春节", "date": "2025-06-01", "isOffDay": True},   # 3 other year
        {"name": "春节", "date": "2026-02-16"},                     # 4 missing isOffDay
        {"name": "春节", "date": "2026-02-17", "isOffDay": "yes"},  # 5 not a boolean
        {"date": "2026-02-18", "isOffDay": True},                   # 6 missing name
        {"name": "元旦", "date": "2026-01-01", "isOffDay": False},  # 7 conflicts with 1
        "2026-02-19",                                               # 8 not an object
        {"name": "春节", "date": "20260220", "isOffDay": True},     # 9 not ISO
    ])
    year, days, problems = parse_holiday_cn_json(data)
    assert year == 2026
    assert _where(problems) == [
        (2, "date"), (3, "date"), (4, "isOffDay"), (5, "isOffDay"),
        (6, "name"), (7, "date"), (8, None), (9, "date"),
    ]
    assert problems[0].message == "第2条「date」：无法识别的日期 2026-13-01"
    assert "不属于 2026 年" in problems[1].message
    assert "缺少字段「isOffDay」" in problems[2].message
    assert days == [CalendarDay(date(2026, 1, 1), False, "元旦")]


def test_holiday_cn_exact_duplicate_is_accepted_once():
    entry = {"name": "元旦", "date": "2026-01-01", "isOffDay": True}
    _, days, problems = parse_holiday_cn_json(_holiday_cn(2026, [entry, entry]))
    assert problems == [] and len(days) == 1


def test_holiday_cn_new_year_days_in_previous_december_belong_to_the_year():
    # Real excerpt of holiday-cn's 2008.json: the 2008 notice arranged 2007-12-29..31.
    data = _holiday_cn(2008, [
        {"name": "元旦", "date": "2007-12-29", "isOffDay": False},
        {"name": "元旦", "date": "2007-12-30", "isOffDay": True},
        {"name": "元旦", "date": "2007-12-31", "isOffDay": True},
        {"name": "元旦", "date": "2008-01-01", "isOffDay": True},
    ])
    year, days, problems = parse_holiday_cn_json(data)
    assert (year, problems, len(days)) == (2008, [], 4)


def test_holiday_cn_missing_or_bad_year_is_reported_and_days_still_checked():
    year, _, problems = parse_holiday_cn_json('{"days": [{"name": "x", "date": "bad", "isOffDay": true}]}')
    assert year is None
    assert _where(problems) == [(None, "year"), (1, "date")]
    year, _, problems = parse_holiday_cn_json('{"year": "2026", "days": []}')
    assert year is None and problems[0].column == "year"


def test_holiday_cn_empty_placeholder_file_is_a_problem():
    # holiday-cn publishes {"days": []} before the notice is out.
    year, days, problems = parse_holiday_cn_json('{"year": 2024, "papers": [], "days": []}')
    assert (year, days) == (2024, [])
    assert "尚未发布" in problems[0].message


def test_holiday_cn_invalid_json_is_a_single_problem():
    assert parse_holiday_cn_json(b"{not json")[2][0].message.startswith("文件不是有效的 JSON")
    assert parse_holiday_cn_json(b"\xff\xfe")[2][0].row is None
    assert parse_holiday_cn_json("[]")[2] == [ParseProblem(None, None, "文件内容必须是一个 JSON 对象")]


# -- Excel -----------------------------------------------------------------------


def test_xlsx_export_then_import_round_trips():
    days = days_from_chinese_calendar(2026)
    assert parse_calendar_xlsx(write_calendar_xlsx(2026, days), LIMITS) == (2026, days, [])


def test_xlsx_export_has_bold_header_row_and_formatted_dates():
    sheet = openpyxl.load_workbook(io.BytesIO(write_calendar_xlsx(2026, days_from_chinese_calendar(2026)))).active
    assert [c.value for c in sheet[1]] == ["日期", "名称", "类型"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet["A2"].value == datetime(2026, 1, 1)
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].value == "休" and sheet["C4"].value == "班"
    assert sheet.column_dimensions["A"].width >= 12


def test_xlsx_accepts_text_dates_and_skips_empty_rows():
    data = _xlsx([
        ["日期", "名称", "类型"],
        ["2026-10-01", "国庆节", "休"],
        [None, None, None],
        ["  ", "", None],
        [datetime(2026, 10, 10), " 国庆节 ", " 班 "],
        ["2026/9/20", "国庆节", "班"],
    ])
    year, days, problems = parse_calendar_xlsx(data, LIMITS)
    assert (year, problems) == (2026, [])
    assert days == [
        CalendarDay(date(2026, 9, 20), True, "国庆节"),
        CalendarDay(date(2026, 10, 1), False, "国庆节"),
        CalendarDay(date(2026, 10, 10), True, "国庆节"),
    ]


def test_xlsx_with_errors_reports_every_bad_row_with_its_row_number():
    data = _xlsx([
        ["日期", "名称", "类型"],
        [datetime(2026, 1, 1), "元旦", "休"],        # 2 fine
        ["2026-13-01", "春节", "休"],                 # 3 bad date
        [datetime(2026, 2, 16), None, "休"],          # 4 empty name
        [datetime(2026, 2, 17), "春节", "假"],        # 5 bad type
        [None, None, None],                            # 6 skipped
        [None, "春节", None],                          # 7 no date, no type
        [datetime(2025, 6, 1), "端午节", "休"],       # 8 other year
        [datetime(2026, 1, 1), "元旦", "班"],         # 9 conflicts with row 2
        [46023, "元旦", "休"],                         # 10 a number, not a date
        [datetime(2026, 2, 18), "春节", "休"],        # 11 fine
    ])
    year, days, problems = parse_calendar_xlsx(data, LIMITS)
    assert year == 2026
    assert _where(problems) == [
        (3, "日期"), (4, "名称"), (5, "类型"), (7, "日期"), (7, "类型"),
        (8, "日期"), (9, "日期"), (10, "日期"),
    ]
    assert problems[0].message == "第3行「日期」：无法识别的日期 2026-13-01"
    assert problems[2].message == "第5行「类型」：必须是「休」或「班」，实际为「假」"
    assert "第2行" in problems[6].message
    assert [d.date for d in days] == [date(2026, 1, 1), date(2026, 2, 18)]


def test_xlsx_without_the_expected_header_is_rejected():
    year, days, problems = parse_calendar_xlsx(_xlsx([["日期", "名称"], ["2026-10-01", "国庆节"]]), LIMITS)
    assert (year, days) == (None, [])
    assert problems == [ParseProblem(1, "类型", "第1行：缺少表头「类型」（表头应为 日期 | 名称 | 类型）")]


def test_xlsx_with_only_a_header_has_no_year():
    year, days, problems = parse_calendar_xlsx(_xlsx([["日期", "名称", "类型"]]), LIMITS)
    assert (year, days) == (None, [])
    assert problems[0].message == "表格中没有任何日期"


def test_file_that_is_not_xlsx_is_a_single_problem():
    year, days, problems = parse_calendar_xlsx(b"PK\x03\x04 definitely not a workbook", LIMITS)
    assert (year, days, len(problems)) == (None, [], 1)
    assert problems[0].message.startswith("无法读取 Excel 文件")
