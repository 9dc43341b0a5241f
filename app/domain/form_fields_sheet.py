"""The catalog spreadsheet's sheet 「表单字段」: the extra fields of the matters (issue 15 item 3), one row
a field, beside sheet 1 (one row a material). Exported with the catalog and read back on import.

Pure domain code (openpyxl, no Flask): ``read_fields_sheet`` answers the rows as field definitions with
every unreadable cell as a SheetProblem (Chinese messages, like sheet 1); the rules of the definitions
themselves are ``app.domain.form_fields``'s, applied by the import service.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.domain.catalog_sheet import SheetProblem
from app.domain.form_fields import KINDS, FieldDefinition, parse_choices
from app.domain.upload_checks import SheetLimits

SHEET = "表单字段"
#: (key, title, width): the columns of the sheet, in order
COLUMNS = (
    ("code", "事项编码", 18), ("seq", "序号", 6), ("key", "字段标识", 18), ("label", "字段名称", 18),
    ("kind", "类型", 10), ("required", "必填", 6), ("help", "填写提示", 30), ("min_length", "最少字数", 8),
    ("max_length", "最多字数", 8), ("min_value", "最小值", 8), ("max_value", "最大值", 8),
    ("choices", "选项（每行一个）", 24), ("pattern", "格式（正则表达式）", 20),
)
TITLES = {key: title for key, title, _ in COLUMNS}
KIND_NAMES = {"text": "文本", "number": "数字", "date": "日期", "choice": "选项", "yes_no": "是否",
              "id_number": "身份证号", "phone": "电话", "address": "地址"}
_KIND_WORDS = {**{name: code for code, name in KIND_NAMES.items()}, **{code: code for code in KINDS}}
_YES_WORDS = {"是", "y", "yes", "true", "1", "√"}
_NO_WORDS = {"否", "n", "no", "false", "0", "×", ""}


@dataclass(frozen=True)
class FieldRow:
    row: int
    code: str
    definition: FieldDefinition


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value)).strip()


def _whole(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise ValueError(text)
    return int(text)


def _number(value: Any) -> float | None:
    text = _text(value)
    if not text:
        return None
    number = float(text)
    if number != number or abs(number) > 1e15:
        raise ValueError(text)
    return int(number) if number.is_integer() else number


def _read_row(number: int, cells: dict[str, Any], problems: list[SheetProblem]) -> FieldRow | None:
    def bad(key: str, why: str) -> None:
        problems.append(SheetProblem(number, TITLES[key], f"{SHEET} 第{number}行「{TITLES[key]}」：{why}"))

    code = _text(cells.get("code"))
    if not code:
        bad("code", "请填写事项编码")
    values: dict[str, Any] = {}
    for key, reader, why in (("seq", _whole, "应为正整数"), ("min_length", _whole, "应为整数"),
                             ("max_length", _whole, "应为整数"), ("min_value", _number, "应为数字"),
                             ("max_value", _number, "应为数字")):
        try:
            values[key] = reader(cells.get(key))
        except ValueError:
            bad(key, why)
    kind_text = _text(cells.get("kind"))
    kind = _KIND_WORDS.get(kind_text) or _KIND_WORDS.get(kind_text.lower())
    if kind is None:
        bad("kind", "应为" + "、".join(KIND_NAMES.values()) + "之一")
    required_text = _text(cells.get("required")).lower()
    if required_text not in _YES_WORDS | _NO_WORDS:
        bad("required", "应填“是”或“否”")
    if len(problems) and any(p.row == number for p in problems):
        return None
    definition = FieldDefinition(
        key=_text(cells.get("key")), label=_text(cells.get("label")), kind=kind or "text",
        seq=values.get("seq") or number, help=_text(cells.get("help")), required=required_text in _YES_WORDS,
        min_length=values.get("min_length"), max_length=values.get("max_length"),
        min_value=values.get("min_value"), max_value=values.get("max_value"),
        choices=parse_choices(_text(cells.get("choices"))), pattern=_text(cells.get("pattern")))
    return FieldRow(number, code, definition)


def read_fields_sheet(data: bytes, limits: SheetLimits) -> tuple[list[FieldRow], list[SheetProblem]] | None:
    """The rows of sheet 「表单字段」, or None when the workbook has no such sheet (an older export or the
    province's own list: the matters keep their fields). Call it on a workbook whose size was checked."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - sheet 1's reading reports an unreadable file
        return None
    with contextlib.closing(workbook):
        if SHEET not in workbook.sheetnames:
            return None
        rows = workbook[SHEET].iter_rows(max_col=len(COLUMNS) + 5, values_only=True)
        header = next(rows, None) or ()
        titles = {_text(title): index for index, title in enumerate(header)}
        missing = [title for _, title, _ in COLUMNS if title not in titles]
        if missing:
            return [], [SheetProblem(1, None, f"{SHEET} 第1行：缺少表头「{'」「'.join(missing)}」")]
        found: list[FieldRow] = []
        problems: list[SheetProblem] = []
        for number, cells in enumerate(rows, start=2):
            if not any(_text(c) for c in cells):
                continue
            if len(found) >= limits.max_rows:
                problems.append(SheetProblem(number, None, f"{SHEET} 第{number}行：超过{limits.max_rows}行"))
                break
            if any(len(_text(c)) > limits.max_cell_chars for c in cells):
                problems.append(SheetProblem(number, None, f"{SHEET} 第{number}行：单元格超过{limits.max_cell_chars}字"))
                continue
            row = _read_row(number, {key: cells[titles[title]] for key, title, _ in COLUMNS}, problems)
            if row is not None:
                found.append(row)
        return found, problems


def _writable(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_fields_sheet(sheet: Any, fields: Mapping[str, Iterable[FieldDefinition]]) -> None:
    """Writes the fields of each matter code (in the given order) as sheet 「表单字段」."""
    fill = PatternFill("solid", fgColor="D9D9D9")
    for index, (_, title, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    number = 1
    for code, definitions in fields.items():
        for d in sorted(definitions, key=lambda d: d.seq):
            number += 1
            values = (code, d.seq, d.key, d.label, KIND_NAMES.get(d.kind, d.kind), "是" if d.required else "否",
                      d.help, d.min_length, d.max_length, d.min_value, d.max_value, "\n".join(d.choices), d.pattern)
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=number, column=index, value=_writable(value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(vertical="top", wrap_text=index in (7, 12))
