"""Reading and writing the 通办事项清单 (matter catalog) as an Excel sheet.

Provinces publish their catalogs as spreadsheets; administrators fill our
template (or convert the province's list into it) and import it.  The sheet
has one row per material requirement; the matter's own columns repeat on each
of its rows and must agree.

The import follows the 一次性告知 rule: the whole file is checked first and
every bad header, row and cell comes back as a SheetProblem with a Chinese
message, so the administrator fixes the file in one go.  Records are only
trustworthy when there are no problems at all.

Pure domain code: no Flask, Celery or SQLAlchemy imports here.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.domain.guide_elements import AUTHORITY_MAX_LENGTH, DEFAULT_VISITS, MAX_VISITS, faq_problems
from app.domain.precheck import DEFAULT_PRECHECK_HOURS, MAX_PRECHECK_HOURS
from app.domain.upload_checks import (
    SheetLimits,
    TooLarge,
    cell_too_long_message,
    check_unpacked_size,
    longest_cell,
)

DEFAULT_TITLE = "广元市政务服务“跨域通办”事项清单"
INSTRUCTIONS_SHEET = "填写说明"
NOT_XLSX_MESSAGE = "文件不是有效的 Excel (.xlsx) 文件"

# Only this many columns are read: the template has 27, and a hostile file
# can claim 16,384 per row, which openpyxl would pad with None on every row.
_MAX_COLUMNS = 100
# workdays.MAX_SCAN_DAYS (3660 calendar days ≈ 2,600 working days) makes a
# deadline computation fail loudly beyond it; cap well below so an imported
# limit can never hit that.
MAX_LIMIT_DAYS = 999
MAX_COPIES = 99
# Sequence numbers only order a matter's materials; the cap keeps a stray
# 1e300 out of an integer database column.
MAX_SEQ = 999
DEFAULT_FEE_NOTE = "不收费"

FORM_NAMES = {"original": "原件", "copy": "复印件", "scan": "扫描件"}
_YES, _NO = "是", "否"
_YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√"})
_NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×"})

_SEPARATORS = re.compile(r"[、,，;；\r\n]+")
# Besides Unicode whitespace (str.strip covers \u3000 and \xa0), text pasted
# from web pages or Word often carries zero-width spaces and BOMs.
_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_DIGITS = r"([0-9]{1,9})(?:\.0+)?"
_PLAIN_NUMBER = re.compile(rf"^{_DIGITS}$")
_DAYS_NUMBER = re.compile(rf"^{_DIGITS}\s*(?:个工作日|工作日|日|天)?$")
_COPIES_NUMBER = re.compile(rf"^{_DIGITS}\s*份?$")
_HOURS_NUMBER = re.compile(rf"^{_DIGITS}\s*(?:个工作小时|工作小时|个小时|小时|h)?$")
_VISITS_NUMBER = re.compile(rf"^{_DIGITS}\s*次?$")


# -- public records ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("事项编码", "code", 18),
    Column("事项名称", "name", 28),
    Column("业务条线", "line", 18),
    Column("通办类型", "handling_types", 24),
    Column("法定时限(工作日)", "legal_limit_days", 12),
    Column("承诺办理总时限(工作日)", "promised_limit_days", 14),
    Column("收费情况", "fee_note", 20),
    Column("咨询电话", "consult_phone", 16),
    Column("投诉电话", "complaint_phone", 12),
    Column("受理条件", "acceptance_conditions", 40),
    Column("审核要点", "review_points", 40),
    Column("需远程预审", "precheck", 12),
    Column("预审时限（工作小时）", "precheck_hours", 14),
    Column("延期上限（工作日）", "max_extension_days", 14),
    Column("实施机关", "authority", 24),
    Column("设定依据", "legal_basis", 40),
    Column("办理流程", "process_steps", 36),
    Column("到现场次数", "visits", 10),
    Column("常见问题", "faq", 50),
    Column("材料序号", "seq", 10),
    Column("材料名称", "material_name", 36),
    Column("份数", "copies", 8),
    Column("材料形式", "form", 10),
    Column("是否必需", "required", 10),
    Column("需核验原件", "original_check", 12),
    Column("可容缺", "deferrable", 10),
    Column("材料备注", "material_note", 30),
)

_BY_KEY = {c.key: c for c in COLUMNS}
_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}
_ORDER_BY_TITLE = {c.title: i for i, c in enumerate(COLUMNS)}
# The columns that describe the matter itself and repeat on each of its rows.
MATTER_KEYS = tuple(c.key for c in COLUMNS[: _ORDER["faq"] + 1])
# Columns added after the first template (容缺受理, 远程预审, 延期上限, the 办事指南 elements of issue 13: 实施机关,
# 设定依据, 办理流程, 到现场次数, 常见问题): a sheet made before them still
# imports. A missing one reads as "not in this sheet" (None, or NOT_IN_SHEET where None is a value of its
# own): an existing matter keeps what it has, a new one takes the default (an export made before the
# columns existed must not switch a matter's pre-check off).
LATER_KEYS = frozenset({"precheck", "precheck_hours", "max_extension_days", "deferrable",
                        "authority", "legal_basis", "process_steps", "visits", "faq"})


class _NotInSheet:
    """The value of a later column the sheet has not, where a blank cell means something (None)."""

    def __repr__(self) -> str:
        return "NOT_IN_SHEET"


NOT_IN_SHEET: Any = _NotInSheet()
_WRAPPED_KEYS = frozenset(
    {"name", "handling_types", "fee_note", "acceptance_conditions", "review_points",
     "authority", "legal_basis", "process_steps", "faq", "material_name", "material_note"}
)


@dataclass(frozen=True)
class MaterialRecord:
    seq: int
    name: str
    copies: int
    form: str
    required: bool
    original_check: bool
    note: str
    #: 可容缺: may be supplied after acceptance (容缺受理); None: the sheet has no such column
    deferrable: bool | None = False


@dataclass(frozen=True)
class MatterRecord:
    code: str
    name: str
    line: str
    handling_types: tuple[str, ...]
    legal_limit_days: int
    promised_limit_days: int
    fee_note: str
    consult_phone: str
    complaint_phone: str
    acceptance_conditions: str
    review_points: str
    materials: tuple[MaterialRecord, ...]
    #: 需远程预审 and its time limit in working hours; None: the sheet has no such column
    precheck: bool | None = False
    precheck_hours: int | None = DEFAULT_PRECHECK_HOURS
    #: 延期上限 in working days (0: no extension); None: the general rule (blank cell); NOT_IN_SHEET
    max_extension_days: int | None = None
    #: 办事指南 elements: 实施机关, 设定依据, 办理流程 (one step a line), 到现场次数, 常见问题 (问/答 blocks);
    #: None: the sheet has no such column
    authority: str | None = ""
    legal_basis: str | None = ""
    process_steps: str | None = ""
    visits: int | None = DEFAULT_VISITS
    faq: str | None = ""
    # Where the matter was found; not part of its identity, so that a matter
    # read back from an export equals the one that was written.
    first_row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SheetProblem:
    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class NamesForExport:
    """Code → Chinese name, so exports show names (which the parser accepts back); and the complaint
    hotline a blank 投诉电话 cell stands for (the installation's COMPLAINT_PHONE), named in the instructions."""

    lines: Mapping[str, str]
    handling_types: Mapping[str, str]
    complaint_phone: str
    #: the row cap of an import (the setting IMPORT_MAX_ROWS), named in the instructions when given
    max_rows: int | None = None


@dataclass(frozen=True)
class Lookup:
    """Accepted text → code, for 业务条线 and 通办类型 (include both codes and names); and the complaint
    hotline a blank 投诉电话 cell stands for (the installation's COMPLAINT_PHONE)."""

    lines: Mapping[str, str]
    handling_types: Mapping[str, str]
    complaint_phone: str

    @classmethod
    def from_names(cls, names: NamesForExport) -> Lookup:
        """Accept each code and its name."""

        def both(mapping: Mapping[str, str]) -> dict[str, str]:
            accepted = {code: code for code in mapping}
            accepted.update({name: code for code, name in mapping.items() if name})
            return accepted

        return cls(lines=both(names.lines), handling_types=both(names.handling_types),
                   complaint_phone=names.complaint_phone)


# -- cell values ---------------------------------------------------------------


def _clean(text: str) -> str:
    # Control characters cannot be stored in an xlsx (openpyxl refuses to
    # write them), so a parsed value holding one could never be exported
    # again; they are invisible anyway.
    text = ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _EDGE_SPACE.sub("", text)


def _text(value: Any) -> str:
    """A cell as the trimmed text the administrator sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # A phone or code typed as a number comes back as 12345.0.
        return str(int(value))
    return _clean(str(value))


def _folded(text: str) -> str:
    # NFKC turns full-width letters, digits and brackets into ASCII, so
    # "ＨＲＳＳ", "２０" and "法定时限（工作日）" match too.
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _shown(text: str, limit: int = 30) -> str:
    """A value quoted inside a one-line message."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"


class _Bad(Exception):
    """A cell's value is unacceptable; the argument is the reason in Chinese."""


def _whole_number(value: Any, pattern: re.Pattern[str], low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _Bad()
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _Bad()
        number = int(value)
    else:
        match = pattern.match(_folded(_text(value)))
        if not match:
            raise _Bad()
        number = int(match.group(1))
    if not low <= number <= high:
        raise _Bad()
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = _folded(_text(value))
    if folded in _YES_WORDS:
        return True
    if folded in _NO_WORDS:
        return False
    raise _Bad(f"应填“{_YES}”或“{_NO}”")


def _index(mapping: Mapping[str, str]) -> dict[str, str]:
    return {_folded(text): code for text, code in mapping.items()}


def _choices(mapping: Mapping[str, str]) -> str:
    # Names are friendlier than codes; a lookup that only has codes shows those.
    names = [text for text, code in mapping.items() if text != code] or list(mapping)
    return "、".join(dict.fromkeys(names))


# -- one column at a time ------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    parse: Callable[[Any, str, _Lookups], Any]
    required: bool
    default: Any = None
    #: a default that belongs to the installation rather than the sheet (the complaint hotline)
    default_of: Callable[[_Lookups], Any] | None = None
    #: the value of a later column the sheet has not (a blank cell of it gives ``default``)
    absent: Any = None

    def blank(self, lookups: _Lookups) -> Any:
        """The value of a blank cell of an optional column."""
        return self.default_of(lookups) if self.default_of is not None else self.default


@dataclass(frozen=True)
class _Lookups:
    lines: dict[str, str]
    handling_types: dict[str, str]
    line_choices: str
    handling_type_choices: str
    complaint_phone: str


def _limited(max_length: int) -> Callable[[Any, str, _Lookups], str]:
    def parse(_value: Any, text: str, _lookups: _Lookups) -> str:
        if len(text) > max_length:
            raise _Bad(f"不能超过{max_length}个字，实际为{len(text)}个字")
        return text

    return parse


def _free_text(_value: Any, text: str, _lookups: _Lookups) -> str:
    return text


def _line(_value: Any, text: str, lookups: _Lookups) -> str:
    code = lookups.lines.get(_folded(text))
    if code is None:
        raise _Bad(f"未知的业务条线“{_shown(text)}”，可填写：{lookups.line_choices}")
    return code


def _handling_types(_value: Any, text: str, lookups: _Lookups) -> tuple[str, ...]:
    parts = [p for p in (_clean(p) for p in _SEPARATORS.split(text)) if p]
    unknown = [p for p in parts if _folded(p) not in lookups.handling_types]
    if unknown:
        listed = "、".join(f"“{_shown(p)}”" for p in unknown)
        raise _Bad(f"未知的通办类型{listed}，可填写：{lookups.handling_type_choices}")
    if not parts:
        raise _Bad("不能为空")
    codes = (lookups.handling_types[_folded(p)] for p in parts)
    return tuple(dict.fromkeys(codes))


def _limit_days(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _DAYS_NUMBER, 1, MAX_LIMIT_DAYS)
    except _Bad:
        raise _Bad(f"应为1到{MAX_LIMIT_DAYS}之间的整数（工作日），实际为“{_shown(text)}”") from None


def _precheck_hours(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _HOURS_NUMBER, 1, MAX_PRECHECK_HOURS)
    except _Bad:
        raise _Bad(f"应为1到{MAX_PRECHECK_HOURS}之间的整数（工作小时），实际为“{_shown(text)}”") from None


def _extension_days(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _DAYS_NUMBER, 0, MAX_LIMIT_DAYS)
    except _Bad:
        raise _Bad(f"应为0到{MAX_LIMIT_DAYS}之间的整数（工作日），或不填，实际为“{_shown(text)}”") from None


def _visits(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _VISITS_NUMBER, 0, MAX_VISITS)
    except _Bad:
        raise _Bad(f"应为0到{MAX_VISITS}之间的整数（次），实际为“{_shown(text)}”") from None


def _faq(_value: Any, text: str, _lookups: _Lookups) -> str:
    bad = faq_problems(text)
    if bad:
        numbers = "、".join(f"第{n}条" for n in bad)
        raise _Bad(f"{numbers}应写成“问：……”一行、“答：……”一行，两条之间空一行")
    return text


def _seq(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _PLAIN_NUMBER, 1, MAX_SEQ)
    except _Bad:
        raise _Bad(f"应为1到{MAX_SEQ}之间的整数，实际为“{_shown(text)}”") from None


def _copies(value: Any, text: str, _lookups: _Lookups) -> int:
    try:
        return _whole_number(value, _COPIES_NUMBER, 1, MAX_COPIES)
    except _Bad:
        raise _Bad(f"应为1到{MAX_COPIES}之间的整数，实际为“{_shown(text)}”") from None


_FORM_WORDS = {_folded(w): code for code, name in FORM_NAMES.items() for w in (code, name)}


def _form(_value: Any, text: str, _lookups: _Lookups) -> str:
    code = _FORM_WORDS.get(_folded(text))
    if code is None:
        choices = "、".join(f"“{name}”" for name in FORM_NAMES.values())
        raise _Bad(f"应填{choices}，实际为“{_shown(text)}”")
    return code


def _yes_no(value: Any, text: str, _lookups: _Lookups) -> bool:
    try:
        return _flag(value)
    except _Bad as bad:
        raise _Bad(f"{bad.args[0]}，实际为“{_shown(text)}”") from None


# Length limits follow the database columns, so an import never fails halfway
# on a value the sheet check let through.
_RULES: dict[str, _Rule] = {
    "code": _Rule(_limited(64), required=True),
    "name": _Rule(_limited(255), required=True),
    "line": _Rule(_line, required=True),
    "handling_types": _Rule(_handling_types, required=True),
    "legal_limit_days": _Rule(_limit_days, required=True),
    "promised_limit_days": _Rule(_limit_days, required=True),
    "fee_note": _Rule(_limited(255), required=False, default=DEFAULT_FEE_NOTE),
    "consult_phone": _Rule(_limited(64), required=False, default=""),
    "complaint_phone": _Rule(_limited(32), required=False, default_of=lambda lookups: lookups.complaint_phone),
    "acceptance_conditions": _Rule(_free_text, required=False, default=""),
    "review_points": _Rule(_free_text, required=False, default=""),
    "precheck": _Rule(_yes_no, required=False, default=False),
    "precheck_hours": _Rule(_precheck_hours, required=False, default=DEFAULT_PRECHECK_HOURS),
    "max_extension_days": _Rule(_extension_days, required=False, default=None, absent=NOT_IN_SHEET),
    "authority": _Rule(_limited(AUTHORITY_MAX_LENGTH), required=False, default=""),
    "legal_basis": _Rule(_free_text, required=False, default=""),
    "process_steps": _Rule(_free_text, required=False, default=""),
    "visits": _Rule(_visits, required=False, default=DEFAULT_VISITS),
    "faq": _Rule(_faq, required=False, default=""),
    "seq": _Rule(_seq, required=True),
    "material_name": _Rule(_limited(255), required=True),
    "copies": _Rule(_copies, required=True),
    "form": _Rule(_form, required=True),
    "required": _Rule(_yes_no, required=False, default=True),
    "original_check": _Rule(_yes_no, required=False, default=False),
    "deferrable": _Rule(_yes_no, required=False, default=False),
    "material_note": _Rule(_limited(255), required=False, default=""),
}


def _problem(row: int, key: str, detail: str) -> SheetProblem:
    title = _BY_KEY[key].title
    return SheetProblem(row, title, f"第{row}行「{title}」：{detail}")


# -- rows ----------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    texts: dict[str, str]
    # Only the cells whose value is acceptable; a missing key means the cell
    # already has its own problem, so later checks leave it alone.
    values: dict[str, Any]


def _read_row(
    number: int, cells: tuple[Any, ...], positions: dict[str, int], lookups: _Lookups
) -> tuple[_Row, list[SheetProblem]]:
    row = _Row(number, {}, {})
    problems: list[SheetProblem] = []
    for column in COLUMNS:
        position = positions.get(column.key)
        if position is None:  # a later column an older sheet lacks: not given, kept on import
            row.texts[column.key], row.values[column.key] = "", _RULES[column.key].absent
            continue
        raw = cells[position]
        text = _text(raw)
        row.texts[column.key] = text
        rule = _RULES[column.key]
        if not text:
            if rule.required:
                problems.append(_problem(number, column.key, "不能为空"))
            else:
                row.values[column.key] = rule.blank(lookups)
            continue
        try:
            row.values[column.key] = rule.parse(raw, text, lookups)
        except _Bad as bad:
            problems.append(_problem(number, column.key, bad.args[0]))
    return row, problems


def _group_by_code(rows: list[_Row]) -> dict[str, list[_Row]]:
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        code = row.values.get("code")
        if code is not None:
            groups.setdefault(code, []).append(row)
    return groups


def _comparable(key: str, value: Any) -> Any:
    # "跨省通办、川渝通办" and "川渝通办、跨省通办" name the same types.
    return frozenset(value) if key == "handling_types" else value


def _consistency_problems(rows: list[_Row]) -> list[SheetProblem]:
    """Each later row of a matter must repeat the first row's matter columns."""
    first, problems = rows[0], []
    for row in rows[1:]:
        for key in MATTER_KEYS:
            if key not in first.values or key not in row.values:
                continue  # an invalid cell is already reported on its own
            if _comparable(key, row.values[key]) != _comparable(key, first.values[key]):
                shown = _shown(first.texts[key]) or "空白"
                problems.append(
                    _problem(row.number, key, f"与第{first.number}行同一事项的值（{shown}）不一致")
                )
    return problems


def _limit_problems(first: _Row) -> list[SheetProblem]:
    # Checked on the first row only: later rows either repeat it (and would
    # repeat the problem) or differ (and are reported as inconsistent).
    legal = first.values.get("legal_limit_days")
    promised = first.values.get("promised_limit_days")
    if legal is None or promised is None or promised <= legal:
        return []
    return [
        _problem(
            first.number,
            "promised_limit_days",
            f"不能超过法定时限（{legal}个工作日），实际为{promised}",
        )
    ]


def _duplicate_seq_problems(rows: list[_Row]) -> list[SheetProblem]:
    seen: dict[int, int] = {}
    problems = []
    for row in rows:
        seq = row.values.get("seq")
        if seq is None:
            continue
        if seq in seen:
            problems.append(
                _problem(row.number, "seq", f"序号{seq}与第{seen[seq]}行重复（同一事项的材料序号不能重复）")
            )
        else:
            seen[seq] = row.number
    return problems


def _matter_record(rows: list[_Row]) -> MatterRecord:
    first = rows[0].values
    materials = sorted(
        (
            MaterialRecord(
                seq=r.values["seq"],
                name=r.values["material_name"],
                copies=r.values["copies"],
                form=r.values["form"],
                required=r.values["required"],
                original_check=r.values["original_check"],
                note=r.values["material_note"],
                deferrable=r.values["deferrable"],
            )
            for r in rows
        ),
        key=lambda m: m.seq,
    )
    return MatterRecord(
        **{key: first[key] for key in MATTER_KEYS},
        materials=tuple(materials),
        first_row=rows[0].number,
    )


# -- header --------------------------------------------------------------------


def _header_title(value: Any) -> str:
    # Compare titles loosely (full-width brackets, stray spaces) but report
    # the title as written.
    return "".join(_folded(_text(value)).split())


_KNOWN_TITLES = {_header_title(c.title): c.key for c in COLUMNS}


def _find_header(first: tuple[Any, ...], second: tuple[Any, ...] | None) -> tuple[int, tuple[Any, ...]]:
    """Row number and cells of the header: row 1, or row 2 below a title row."""
    filled = [v for v in first if _text(v)]
    is_title = len(filled) <= 1 and not any(_header_title(v) in _KNOWN_TITLES for v in filled)
    if is_title:
        # A title row with nothing below it: report the header of row 2 missing.
        return 2, second or ()
    return 1, first


def _header_positions(number: int, cells: tuple[Any, ...]) -> tuple[dict[str, int], list[SheetProblem]]:
    positions: dict[str, int] = {}
    problems: list[SheetProblem] = []
    for index, value in enumerate(cells):
        text = _text(value)
        if not text:
            continue
        where = f"第{number}行{get_column_letter(index + 1)}列"
        key = _KNOWN_TITLES.get(_header_title(value))
        if key is None:
            problems.append(
                SheetProblem(number, text, f"{where}：未知的表头「{_shown(text)}」，请使用本系统的导入模板")
            )
        elif key in positions:
            problems.append(SheetProblem(number, _BY_KEY[key].title, f"{where}：表头「{_BY_KEY[key].title}」重复"))
        else:
            positions[key] = index
    for column in COLUMNS:
        if column.key not in positions and column.key not in LATER_KEYS:
            problems.append(
                SheetProblem(number, column.title, f"第{number}行：缺少表头「{column.title}」")
            )
    return positions, problems


# -- reading -------------------------------------------------------------------


class _Unreadable(Exception):
    """The upload is not a workbook openpyxl can read."""


class _CellTooLong(Exception):
    """A cell beyond the cap: reading stops there (its problem names the row)."""


def _sheet_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    """Rows of the first sheet, each exactly _MAX_COLUMNS wide.

    Reading is lazy, so a corrupt part deep in the file fails while
    iterating; either way the failure becomes _Unreadable, and a mistake in
    this module's own checks is not mistaken for a bad upload.
    """
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike
        raise _Unreadable() from exc
    try:
        if not workbook.worksheets:
            return
        rows = workbook.worksheets[0].iter_rows(max_col=_MAX_COLUMNS, values_only=True)
        while True:
            try:
                cells = next(rows, None)
            except Exception as exc:  # noqa: BLE001
                raise _Unreadable() from exc
            if cells is None:
                return
            # openpyxl already pads to max_col; padding again only guards
            # against a version that does not.
            yield cells if len(cells) == _MAX_COLUMNS else tuple(cells) + (None,) * (_MAX_COLUMNS - len(cells))
    finally:
        workbook.close()


def _is_blank_row(cells: tuple[Any, ...]) -> bool:
    # tuple.count runs in C: a hostile file may claim a million empty rows,
    # and a Python-level loop over each of them takes seconds.
    return cells.count(None) == len(cells) or not any(_text(v) for v in cells)


def _read_problems(
    data: bytes, lookups: _Lookups, limits: SheetLimits
) -> tuple[list[_Row], list[SheetProblem]]:
    # closing(): stopping early at a cap must still close the workbook.
    with contextlib.closing(_sheet_rows(data)) as rows_iter:
        return _check_rows(rows_iter, lookups, limits)


def _capped_cells(rows: Iterator[tuple[Any, ...]], max_chars: int) -> Iterator[tuple[Any, ...]]:
    """The rows, up to the first with a cell longer than ``max_chars`` (then _CellTooLong with its number)."""
    for number, cells in enumerate(rows, start=1):
        if longest_cell(cells) > max_chars:
            raise _CellTooLong(number)
        yield cells


def _check_rows(
    rows_iter: Iterator[tuple[Any, ...]], lookups: _Lookups, limits: SheetLimits
) -> tuple[list[_Row], list[SheetProblem]]:
    try:
        return _check_capped_rows(_capped_cells(rows_iter, limits.max_cell_chars), lookups, limits)
    except _CellTooLong as error:
        number = error.args[0]
        return [], [SheetProblem(number, None, cell_too_long_message(f"第{number}行", limits.max_cell_chars))]


def _check_capped_rows(
    rows_iter: Iterator[tuple[Any, ...]], lookups: _Lookups, limits: SheetLimits
) -> tuple[list[_Row], list[SheetProblem]]:
    first = next(rows_iter, None)
    if first is None:
        return [], [SheetProblem(None, None, "表格是空的")]
    second = next(rows_iter, None)
    header_number, header = _find_header(first, second)
    positions, problems = _header_positions(header_number, header)
    if any(c.key not in positions for c in COLUMNS if c.key not in LATER_KEYS):
        # Without every column the layout is uncertain: row checks would only
        # add noise to "you used the wrong template".
        return [], problems

    pending = [second] if header_number == 1 and second is not None else []
    numbered = enumerate(itertools.chain(pending, rows_iter), start=header_number + 1)
    rows: list[_Row] = []
    for number, cells in numbered:
        if _is_blank_row(cells):
            continue
        if len(rows) == limits.max_rows:
            problems.append(
                SheetProblem(
                    number, None,
                    f"第{number}行：数据超过{limits.max_rows}行，其后的内容未检查，请拆分为多个文件分别导入",
                )
            )
            break
        row, row_problems = _read_row(number, cells, positions, lookups)
        rows.append(row)
        problems.extend(row_problems)
    return rows, problems


def _sorted_problems(problems: list[SheetProblem]) -> list[SheetProblem]:
    def key(p: SheetProblem) -> tuple[int, int]:
        return (0 if p.row is None else p.row, _ORDER_BY_TITLE.get(p.column or "", -1))

    return sorted(problems, key=key)


def parse_catalog_xlsx(
    data: bytes, lookup: Lookup, limits: SheetLimits
) -> tuple[list[MatterRecord], list[SheetProblem]]:
    """Check the first sheet of a catalog workbook; return (matters, problems).

    Row numbers are Excel's own.  Every problem in the file is reported, none
    stops the check, except a file beyond ``limits``: one that would unpack to
    more bytes is refused before it is decoded, and reading stops at the first
    cell too long and at the row beyond the cap.  Matters touched by any problem
    are left out of the result, and the result is only fit to import when
    problems is empty.
    """
    try:
        check_unpacked_size(data, limits.max_unpacked_bytes)
    except TooLarge as error:
        return [], [SheetProblem(None, None, str(error))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        return [], [SheetProblem(None, None, NOT_XLSX_MESSAGE)]
    lookups = _Lookups(
        lines=_index(lookup.lines),
        handling_types=_index(lookup.handling_types),
        line_choices=_choices(lookup.lines),
        handling_type_choices=_choices(lookup.handling_types),
        complaint_phone=lookup.complaint_phone,
    )
    try:
        rows, problems = _read_problems(data, lookups, limits)
    except _Unreadable:
        return [], [SheetProblem(None, None, NOT_XLSX_MESSAGE)]
    if not rows:
        if not problems:
            problems.append(SheetProblem(None, None, "表格中没有任何事项"))
        return [], _sorted_problems(problems)

    matters: list[MatterRecord] = []
    bad_rows = {p.row for p in problems}
    for group in _group_by_code(rows).values():
        group_problems = (
            _consistency_problems(group) + _limit_problems(group[0]) + _duplicate_seq_problems(group)
        )
        problems.extend(group_problems)
        if not group_problems and not any(r.number in bad_rows for r in group):
            matters.append(_matter_record(group))
    return matters, _sorted_problems(problems)


# -- writing -------------------------------------------------------------------


def _writable(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n"))
    return value


def _yes_no_text(flag: bool) -> str:
    return _YES if flag else _NO


def _material_cells(material: MaterialRecord | None) -> list[Any]:
    if material is None:
        # A matter without materials (a draft) still appears in the export;
        # importing it back reports the empty material columns.
        return [None] * (len(COLUMNS) - len(MATTER_KEYS))
    return [
        material.seq,
        material.name,
        material.copies,
        FORM_NAMES.get(material.form, material.form),
        _yes_no_text(material.required),
        _yes_no_text(material.original_check),
        _yes_no_text(material.deferrable),
        material.note,
    ]


def _matter_rows(matter: MatterRecord, names: NamesForExport) -> Iterator[list[Any]]:
    matter_cells = [
        matter.code,
        matter.name,
        names.lines.get(matter.line) or matter.line,
        "、".join(names.handling_types.get(c) or c for c in matter.handling_types),
        matter.legal_limit_days,
        matter.promised_limit_days,
        matter.fee_note,
        matter.consult_phone,
        matter.complaint_phone,
        matter.acceptance_conditions,
        matter.review_points,
        _yes_no_text(matter.precheck),
        matter.precheck_hours,
        matter.max_extension_days,
        matter.authority,
        matter.legal_basis,
        matter.process_steps,
        matter.visits,
        matter.faq,
    ]
    materials = sorted(matter.materials, key=lambda m: m.seq) or [None]
    for material in materials:
        yield matter_cells + _material_cells(material)


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=column, value=_writable(value))
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store "=…" as a formula: the text would be lost on
        # re-import (no cached value) and a crafted note could run in Excel.
        cell.data_type = "s"
    return cell


def _write_catalog_sheet(sheet: Any, matters: Iterable[MatterRecord], names: NamesForExport, title: str) -> None:
    last_letter = get_column_letter(len(COLUMNS))
    sheet.merge_cells(f"A1:{last_letter}1")
    title_cell = _put(sheet, 1, 1, title)
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    for index, column in enumerate(COLUMNS, start=1):
        cell = _put(sheet, 2, index, column.title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"

    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    row_number = 2
    for matter in matters:
        for values in _matter_rows(matter, names):
            row_number += 1
            for index, (column, value) in enumerate(zip(COLUMNS, values), start=1):
                cell = _put(sheet, row_number, index, value)
                cell.alignment = wrap if column.key in _WRAPPED_KEYS else top
    _add_drop_downs(sheet, max(1000, row_number))


def _add_drop_downs(sheet: Any, last_row: int) -> None:
    choices = {
        "precheck": f"{_YES},{_NO}",
        "form": ",".join(FORM_NAMES.values()),
        "required": f"{_YES},{_NO}",
        "original_check": f"{_YES},{_NO}",
        "deferrable": f"{_YES},{_NO}",
    }
    for key, values in choices.items():
        letter = get_column_letter(_ORDER[key] + 1)
        validation = DataValidation(
            type="list",
            formula1=f'"{values}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="取值无效",
            error=f"请从下拉列表中选择：{values.replace(',', '、')}",
        )
        validation.add(f"{letter}3:{letter}{last_row}")
        sheet.add_data_validation(validation)


_COLUMN_HELP: dict[str, str] = {
    "code": "事项的唯一编码，不超过64个字；同一事项的每一行填写相同的编码",
    "name": "不超过255个字",
    "line": "填写业务条线名称或代码，可选值见下表",
    "handling_types": "可填多个，用顿号“、”、逗号、分号或换行分隔；可选值见下表",
    "legal_limit_days": f"1到{MAX_LIMIT_DAYS}之间的整数，单位为工作日（可写“20”或“20个工作日”）",
    "promised_limit_days": "同上，且不能超过法定时限",
    "fee_note": f"不超过255个字；不填视为“{DEFAULT_FEE_NOTE}”",
    "consult_phone": "不超过64个字",
    "complaint_phone": "不超过32个字；不填视为“{complaint_phone}”",  # the installation's hotline
    "acceptance_conditions": "文字，可换行",
    "review_points": "文字，可换行",
    "precheck": f"申请材料是否需经部门远程预审后再流转，填“{_YES}”或“{_NO}”；不填视为“{_NO}”",
    "precheck_hours": f"部门完成预审的时限，1到{MAX_PRECHECK_HOURS}之间的整数，单位为工作小时；"
                      f"不填视为{DEFAULT_PRECHECK_HOURS}",
    "max_extension_days": f"本事项的法律法规对延期另有规定时填写，0到{MAX_LIMIT_DAYS}之间的整数，单位为工作日，"
                          "0表示不得延期；不填按《行政许可法》第四十二条执行（一般最多延长10个工作日）",
    "authority": f"实施机关或主管部门，不超过{AUTHORITY_MAX_LENGTH}个字",
    "legal_basis": "设定依据：法律、法规、规章的名称及条款，可换行",
    "process_steps": "办理流程，每行一个环节，如：申请、受理、审核、办结、送达",
    "visits": f"申请人到现场的次数，0到{MAX_VISITS}之间的整数；不填视为{DEFAULT_VISITS}",
    "faq": "常见问题，每条写成“问：……”一行、“答：……”一行，两条之间空一行",
    "seq": f"1到{MAX_SEQ}之间的整数，同一事项内不能重复；导入后按序号排列",
    "material_name": "不超过255个字",
    "copies": f"1到{MAX_COPIES}之间的整数",
    "form": "原件、复印件或扫描件",
    "required": f"填“{_YES}”或“{_NO}”；不填视为“{_YES}”",
    "original_check": f"填“{_YES}”或“{_NO}”；不填视为“{_NO}”",
    "deferrable": f"非关键材料可容缺受理（先受理、后补正）的填“{_YES}”；不填视为“{_NO}”",
    "material_note": "不超过255个字",
}

_GENERAL_HELP = (
    "1. 第1行为标题，第2行为表头，请勿修改、增删表头；只读取第一个工作表。",
    "2. 每行填写一项申请材料；一个事项有几项材料就填几行。",
    "3. 同一事项的各行，事项编码至常见问题各列必须完全一致（行与行之间不必相邻）。",
    "4. 导入时检查整个文件，所有问题一次列出；有任何问题时不导入任何内容。",
)


def _write_instructions_sheet(sheet: Any, names: NamesForExport) -> None:
    bold = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 70
    sheet.append(["填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in _GENERAL_HELP:
        sheet.append([line])
    if names.max_rows is not None:
        sheet.append([f"{len(_GENERAL_HELP) + 1}. 一个文件最多{names.max_rows}行数据。"])
    sheet.append([])
    sheet.append(["列名", "是否必填", "填写要求"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        needed = "必填" if _RULES[column.key].required else "选填"
        help_text = _COLUMN_HELP[column.key].replace("{complaint_phone}", names.complaint_phone)
        sheet.append([column.title, needed, help_text])

    value_tables = (
        ("业务条线", names.lines),
        ("通办类型", names.handling_types),
        ("材料形式", FORM_NAMES),
    )
    for heading, mapping in value_tables:
        sheet.append([])
        sheet.append([f"{heading}可选值", "代码"])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for code, name in mapping.items():
            sheet.append([_writable(name or code), _writable(code)])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if cell.data_type == "f":
                cell.data_type = "s"  # a name such as "=…" is text, never a formula


def write_catalog_xlsx(
    matters: Iterable[MatterRecord],
    lookup_names: NamesForExport,
    *,
    title: str = DEFAULT_TITLE,
    write_more: Callable[[Any], None] | None = None,
) -> bytes:
    """Write matters in the layout parse_catalog_xlsx reads.

    Sheet 1: title row, header row, one row per material (matters in the
    given order, materials by seq).  Sheet 2 「填写说明」: the rules and the
    accepted values, always written (the parser only reads sheet 1).
    ``write_more(workbook)`` adds sheets after them (the 表单字段 of
    ``app.domain.form_fields_sheet``).
    """
    workbook = openpyxl.Workbook()
    catalog = workbook.active
    catalog.title = "事项清单"
    _write_catalog_sheet(catalog, matters, lookup_names, title)
    _write_instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET), lookup_names)
    if write_more is not None:
        write_more(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- template ------------------------------------------------------------------

# The example rows of the template.  Its code says it is an example, so an
# administrator who imports the template unchanged cannot overwrite a real matter.
# Its complaint hotline is the installation's: template_xlsx fills it in.
SAMPLE_MATTER = MatterRecord(
    code="示例-HRSS-001",
    name="社会保障卡申领",
    line="hrss",
    handling_types=("kuasheng", "chuanyu"),
    legal_limit_days=20,
    promised_limit_days=10,
    fee_note="首次申领不收费；补领、换领按参保地规定执行",
    consult_phone="0839-3266012",
    complaint_phone="",
    acceptance_conditions="在参保地已参加社会保险、尚未持有有效社会保障卡的人员；未成年人由监护人代为申请。",
    review_points="1. 核验申请人身份证件与本人一致；\n2. 相片符合制卡标准（白底、免冠、近6个月内）。",
    materials=(
        MaterialRecord(1, "居民身份证", 1, "original", True, True, "现场核验原件"),
        MaterialRecord(2, "近期免冠彩色照片", 2, "original", False, False, "已在公安部门采集相片的可免于提交"),
    ),
)


def template_xlsx(lookup_names: NamesForExport, *, title: str = DEFAULT_TITLE,
                  write_more: Callable[[Any], None] | None = None) -> bytes:
    """The blank import template: title, header and the two rows of SAMPLE_MATTER (with the hotline of
    ``lookup_names``); ``write_more`` as in :func:`write_catalog_xlsx`."""
    sample = replace(SAMPLE_MATTER, complaint_phone=lookup_names.complaint_phone)
    return write_catalog_xlsx([sample], lookup_names, title=title, write_more=write_more)
