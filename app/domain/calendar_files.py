"""Reading and writing yearly holiday arrangements (节假日安排).

Three sources feed the working-day calendar:
* JSON files of the holiday-cn project (github.com/NateScarlet/holiday-cn);
* an Excel sheet ``日期 | 名称 | 类型`` that administrators edit by hand;
* the ``chinese_calendar`` package, for years it already knows.

Parsers never stop at the first mistake: administrators fix a file in one go
only if they see every problem at once, so each bad row/cell becomes a
ParseProblem with a Chinese message.  Pure domain code: no Flask/SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import chinese_calendar
import openpyxl
from openpyxl.styles import Font

from app.domain.upload_checks import (
    SheetLimits,
    TooLarge,
    cell_too_long_message,
    check_unpacked_size,
    longest_cell,
)

XLSX_HEADERS = ("日期", "名称", "类型")
OFF_MARK = "休"
WORK_MARK = "班"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Hand-typed Excel text: accept 2026-2-14 and 2026/02/14 as well.
_LOOSE_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    is_working: bool
    name: str


@dataclass(frozen=True)
class ParseProblem:
    row: int | None
    column: str | None
    message: str


# -- shared checks -----------------------------------------------------------


def _belongs_to_year(d: dt.date, year: int) -> bool:
    # The notice for year Y also arranges New Year's Day of Y, whose days off
    # and makeup Saturday can fall in late December of Y-1 (holiday-cn's
    # 2008.json lists 2007-12-29..31), so that December is accepted.
    return d.year == year or (d.year == year - 1 and d.month == 12)


def _parse_date_text(text: str, loose: bool) -> dt.date | None:
    text = text.strip()
    if loose:
        match = _LOOSE_DATE.match(text)
        if not match:
            return None
        parts = tuple(int(p) for p in match.groups())
    else:
        # date.fromisoformat alone would also accept 20260101 or 2026-W01-1.
        if not _ISO_DATE.match(text):
            return None
        parts = tuple(int(p) for p in text.split("-"))
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def _conflict_problems(
    rows: list[tuple[int, CalendarDay]], where: Callable[[int], str], column: str
) -> tuple[list[CalendarDay], list[ParseProblem]]:
    """Drop exact repeats; report a date listed as both working and off."""
    first_seen: dict[dt.date, tuple[int, CalendarDay]] = {}
    days: list[CalendarDay] = []
    problems: list[ParseProblem] = []
    for row, day in rows:
        seen = first_seen.get(day.date)
        if seen is None:
            first_seen[day.date] = (row, day)
            days.append(day)
        elif seen[1].is_working != day.is_working:
            problems.append(
                ParseProblem(
                    row,
                    column,
                    f"{where(row)}「{column}」：日期 {day.date.isoformat()} "
                    f"与{where(seen[0])}重复，但一处为上班、一处为休息",
                )
            )
    return days, problems


def _sorted_problems(problems: list[ParseProblem]) -> list[ParseProblem]:
    # Stable sort: problems of one row keep their column order.
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


# -- holiday-cn JSON -----------------------------------------------------------


def _json_where(index: int) -> str:
    return f"第{index}条"


def _json_year(document: dict[str, Any]) -> tuple[int | None, list[ParseProblem]]:
    if "year" not in document:
        return None, [ParseProblem(None, "year", "缺少字段「year」")]
    year = document["year"]
    # bool is an int subclass; true is not a year.
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
        return None, [ParseProblem(None, "year", f"「year」必须是年份整数，实际为 {year!r}")]
    return year, []


def _json_entry(
    index: int, entry: Any, year: int | None
) -> tuple[CalendarDay | None, list[ParseProblem]]:
    where = _json_where(index)
    if not isinstance(entry, dict):
        return None, [ParseProblem(index, None, f"{where}：必须是包含 name、date、isOffDay 的对象")]
    problems: list[ParseProblem] = []
    for key in ("name", "date", "isOffDay"):
        if key not in entry:
            problems.append(ParseProblem(index, key, f"{where}：缺少字段「{key}」"))

    name = entry.get("name")
    if "name" in entry and (not isinstance(name, str) or not name.strip()):
        problems.append(ParseProblem(index, "name", f"{where}「name」：名称必须是非空文字"))

    day: dt.date | None = None
    raw_date = entry.get("date")
    if "date" in entry:
        day = _parse_date_text(raw_date, loose=False) if isinstance(raw_date, str) else None
        if day is None:
            problems.append(ParseProblem(index, "date", f"{where}「date」：无法识别的日期 {raw_date}"))
        elif year is not None and not _belongs_to_year(day, year):
            problems.append(
                ParseProblem(index, "date", f"{where}「date」：日期 {day.isoformat()} 不属于 {year} 年的安排")
            )

    off = entry.get("isOffDay")
    if "isOffDay" in entry and not isinstance(off, bool):
        problems.append(
            ParseProblem(index, "isOffDay", f"{where}「isOffDay」：必须是 true 或 false，实际为 {off!r}")
        )

    if problems:
        return None, problems
    return CalendarDay(day, not off, name.strip()), []


def parse_holiday_cn_json(
    data: bytes | str,
) -> tuple[int | None, list[CalendarDay], list[ParseProblem]]:
    """Parse one holiday-cn year file; returns (year, days, problems).

    `year` is None only when the file does not state a usable year (there is
    then a problem saying so).  Days are only trustworthy when problems is empty.
    """
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [], [ParseProblem(None, None, f"文件不是有效的 JSON：{exc}")]
    except RecursionError:  # "[[[[…" nested deeper than the parser goes: hostile, never a holiday file
        return None, [], [ParseProblem(None, None, "文件不是有效的 JSON：嵌套层数过多")]
    if not isinstance(document, dict):
        return None, [], [ParseProblem(None, None, "文件内容必须是一个 JSON 对象")]

    year, problems = _json_year(document)
    entries = document.get("days")
    if not isinstance(entries, list):
        problems.append(ParseProblem(None, "days", "缺少「days」列表"))
        return year, [], problems
    if not entries:
        # holiday-cn publishes an empty placeholder before the State Council
        # notice is out; loading it would mark the year as known with no holidays.
        problems.append(ParseProblem(None, "days", "「days」为空：该年的放假安排可能尚未发布"))

    rows: list[tuple[int, CalendarDay]] = []
    for index, entry in enumerate(entries, start=1):
        day, entry_problems = _json_entry(index, entry, year)
        problems.extend(entry_problems)
        if day is not None:
            rows.append((index, day))
    days, conflicts = _conflict_problems(rows, _json_where, "date")
    problems.extend(conflicts)
    return year, sorted(days, key=lambda d: d.date), _sorted_problems(problems)


# -- Excel -------------------------------------------------------------------


def _xlsx_where(row: int) -> str:
    return f"第{row}行"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_date(value: Any) -> dt.date | None:
    # openpyxl gives datetime for date-formatted cells; datetime is a date
    # subclass, so test it first to drop the (midnight) time part.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date_text(value, loose=True)
    return None


def _xlsx_row(
    row: int, date_value: Any, name_value: Any, kind_value: Any
) -> tuple[CalendarDay | None, list[ParseProblem]]:
    where = _xlsx_where(row)
    problems: list[ParseProblem] = []

    day = None if _is_blank(date_value) else _cell_date(date_value)
    if _is_blank(date_value):
        problems.append(ParseProblem(row, "日期", f"{where}「日期」：不能为空"))
    elif day is None:
        problems.append(ParseProblem(row, "日期", f"{where}「日期」：无法识别的日期 {date_value}"))

    name = "" if _is_blank(name_value) else str(name_value).strip()
    if not name:
        problems.append(ParseProblem(row, "名称", f"{where}「名称」：不能为空"))

    kind = "" if _is_blank(kind_value) else str(kind_value).strip()
    if kind not in (OFF_MARK, WORK_MARK):
        shown = f"实际为「{kind}」" if kind else "实际为空"
        problems.append(
            ParseProblem(row, "类型", f"{where}「类型」：必须是「{OFF_MARK}」或「{WORK_MARK}」，{shown}")
        )

    if problems:
        return None, problems
    return CalendarDay(day, kind == WORK_MARK, name), []


def _header_columns(header: tuple[Any, ...]) -> tuple[dict[str, int], list[ParseProblem]]:
    labels = ["" if _is_blank(v) else str(v).strip() for v in header]
    columns = {label: i for i, label in enumerate(labels) if label in XLSX_HEADERS}
    problems = [
        ParseProblem(1, label, f"第1行：缺少表头「{label}」（表头应为 日期 | 名称 | 类型）")
        for label in XLSX_HEADERS
        if label not in columns
    ]
    return columns, problems


def _infer_year(rows: list[tuple[int, CalendarDay]]) -> int | None:
    if not rows:
        return None
    counts = Counter(day.date.year for _, day in rows)
    # Most rows decide; on a tie prefer the later year (a stray December row
    # for next year's New Year must not win against the year itself).
    return max(counts, key=lambda y: (counts[y], y))


def _year_problems(rows: list[tuple[int, CalendarDay]], year: int) -> list[ParseProblem]:
    return [
        ParseProblem(
            row,
            "日期",
            f"{_xlsx_where(row)}「日期」：{day.date.isoformat()} 不属于 {year} 年"
            "（一个文件只能包含同一年的安排）",
        )
        for row, day in rows
        if not _belongs_to_year(day.date, year)
    ]


def _read_sheet_rows(
    data: bytes, limits: SheetLimits
) -> tuple[list[tuple[Any, ...]] | None, ParseProblem | None]:
    """The rows of the first sheet, or the one problem that stops reading: not a workbook, one that would
    unpack beyond the limit (measured before decoding), a cell too long, more rows of data than the cap."""
    try:
        check_unpacked_size(data, limits.max_unpacked_bytes)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TooLarge as error:
        return None, ParseProblem(None, None, str(error))
    except Exception as exc:  # noqa: BLE001 - any failure here means "not a readable xlsx"
        return None, ParseProblem(None, None, f"无法读取 Excel 文件（请上传 .xlsx 格式）：{exc}")
    try:
        return _capped_rows(workbook.worksheets[0].iter_rows(values_only=True), limits)
    finally:
        workbook.close()


def _capped_rows(
    sheet_rows: Iterable[tuple[Any, ...]], limits: SheetLimits
) -> tuple[list[tuple[Any, ...]] | None, ParseProblem | None]:
    rows: list[tuple[Any, ...]] = []
    data_rows = 0
    for number, values in enumerate(sheet_rows, start=1):
        if longest_cell(values) > limits.max_cell_chars:
            return None, ParseProblem(number, None, cell_too_long_message(_xlsx_where(number), limits.max_cell_chars))
        if number > 1 and not all(_is_blank(v) for v in values):
            data_rows += 1
            if data_rows > limits.max_rows:
                return None, ParseProblem(number, None, f"{_xlsx_where(number)}：数据超过{limits.max_rows}行，"
                                                        "其后的内容未检查，请拆分为多个文件分别导入")
        rows.append(values)
    return rows, None


def parse_calendar_xlsx(
    data: bytes, limits: SheetLimits
) -> tuple[int | None, list[CalendarDay], list[ParseProblem]]:
    """Parse the first sheet of a ``日期 | 名称 | 类型`` workbook, within ``limits``.

    Row numbers in problems are Excel's own (the header is row 1).
    """
    sheet_rows, failure = _read_sheet_rows(data, limits)
    if failure is not None:
        return None, [], [failure]
    if not sheet_rows:
        return None, [], [ParseProblem(None, None, "表格是空的")]

    columns, problems = _header_columns(sheet_rows[0])
    if problems:
        return None, [], problems

    def cell(values: tuple[Any, ...], label: str) -> Any:
        index = columns[label]
        return values[index] if index < len(values) else None

    rows: list[tuple[int, CalendarDay]] = []
    for row_number, values in enumerate(sheet_rows[1:], start=2):
        if all(_is_blank(v) for v in values):
            continue
        day, row_problems = _xlsx_row(
            row_number, cell(values, "日期"), cell(values, "名称"), cell(values, "类型")
        )
        problems.extend(row_problems)
        if day is not None:
            rows.append((row_number, day))

    year = _infer_year(rows)
    if year is None:
        if not problems:
            problems.append(ParseProblem(None, None, "表格中没有任何日期"))
        return None, [], problems
    problems.extend(_year_problems(rows, year))
    in_year = [(r, d) for r, d in rows if _belongs_to_year(d.date, year)]
    days, conflicts = _conflict_problems(in_year, _xlsx_where, "日期")
    problems.extend(conflicts)
    return year, sorted(days, key=lambda d: d.date), _sorted_problems(problems)


def write_calendar_xlsx(year: int, days: Iterable[CalendarDay]) -> bytes:
    """Write days in the format parse_calendar_xlsx reads (header in row 1)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年"
    sheet.append(list(XLSX_HEADERS))
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    for day in sorted(days, key=lambda d: d.date):
        sheet.append([day.date, day.name, WORK_MARK if day.is_working else OFF_MARK])
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd"
    for letter, width in (("A", 14), ("B", 24), ("C", 8)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- chinese_calendar package ------------------------------------------------

# The package's own Chinese labels are short (清明, 端午, 中秋); use the names
# of the State Council notices, as holiday-cn does.
_NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


@functools.lru_cache(maxsize=1)
def _english_to_chinese() -> dict[str, str]:
    return {h.value: _NOTICE_NAMES.get(h.chinese, h.chinese) for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class _Block:
    first: dt.date
    last: dt.date
    english: frozenset[str]
    name: str


@functools.lru_cache(maxsize=1)
def _holiday_blocks() -> tuple[_Block, ...]:
    """Runs of consecutive days off, named like the notice ("国庆节、中秋节").

    chinese_calendar labels each day with a single festival (2025-10-06 is
    "Mid-autumn", the rest of Oct 1–8 "National Day"); the notice names the
    whole run after both, in the order the festivals first appear.
    """
    names = _english_to_chinese()
    runs: list[list[tuple[dt.date, str]]] = []
    for day, english in sorted(chinese_calendar.holidays.items()):
        if runs and day - runs[-1][-1][0] == dt.timedelta(days=1):
            runs[-1].append((day, english))
        else:
            runs.append([(day, english)])
    blocks = []
    for run in runs:
        ordered = list(dict.fromkeys(english for _, english in run))
        label = "、".join(names.get(e, e) for e in ordered)
        blocks.append(_Block(run[0][0], run[-1][0], frozenset(ordered), label))
    return tuple(blocks)


def _chinese_name(day: dt.date, english: str | None) -> str:
    blocks = _holiday_blocks()
    for block in blocks:
        if block.first <= day <= block.last:
            return block.name
    # A makeup working day: name it after the nearest run of the same festival.
    candidates = [b for b in blocks if english in b.english]
    if candidates:
        nearest = min(candidates, key=lambda b: min(abs((b.first - day).days), abs((b.last - day).days)))
        return nearest.name
    return _english_to_chinese().get(english or "", english or "调休")


def chinese_calendar_years() -> range:
    """Years the installed chinese_calendar has data for.

    Derived from its data exactly as the package itself decides when to raise
    an error for other years, so a package upgrade extends the range automatically.
    """
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def days_from_chinese_calendar(year: int) -> list[CalendarDay]:
    """Deviations from Mon–Fri in `year`: weekday days off and weekend working days.

    Raises ValueError for a year the package does not know, instead of
    silently returning "no holidays".
    """
    if year not in chinese_calendar_years():
        raise ValueError(f"chinese_calendar 没有 {year} 年的放假安排")
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        if working != (day.weekday() < 5):
            _, english = chinese_calendar.get_holiday_detail(day)
            days.append(CalendarDay(day, working, _chinese_name(day, english)))
        day += dt.timedelta(days=1)
    return days
