"""The streaming XLSX writer produces workbooks that spreadsheet software reads back exactly."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from app.domain.xlsx_stream import write_table


def _roundtrip(rows, note=""):
    out = io.BytesIO()
    count = write_table(out, sheet_name="台账", title="标题", header=["日期", "文本", "数"], widths=[12, 30, 8],
                        rows=rows, note=note)
    return count, load_workbook(io.BytesIO(out.getvalue())).worksheets[0]


def test_values_come_back_with_their_types():
    count, sheet = _roundtrip([(date(2026, 2, 14), "李晓梅", 3)])
    assert count == 1
    assert [c.value for c in sheet[3]] == [datetime(2026, 2, 14), "李晓梅", 3]
    assert sheet["A3"].number_format == "yyyy-mm-dd"


def test_title_header_merge_and_frozen_panes():
    _, sheet = _roundtrip([], note="注：说明")
    assert sheet["A1"].value == "标题" and [c.value for c in sheet[2]] == ["日期", "文本", "数"]
    assert "A1:C1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "A3"
    assert sheet["A4"].value == "注：说明"  # after one empty row


def test_markup_formulas_and_control_characters_are_kept_as_harmless_text():
    _, sheet = _roundtrip([(None, "=HYPERLINK(\"x\")<b>&amp;\x07", None)])
    assert sheet["B3"].value == "=HYPERLINK(\"x\")<b>&amp;"
    assert sheet["B3"].data_type == "s"


def test_many_rows_stream_in_batches():
    seen = []
    out = io.BytesIO()
    count = write_table(out, sheet_name="s", title="t", header=["a"], widths=[5],
                        rows=((i,) for i in range(5000)), on_batch=seen.append)
    assert count == 5000 and seen == [2000, 4000]
