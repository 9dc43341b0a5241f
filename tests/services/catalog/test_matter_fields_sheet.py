"""补充信息 in the catalog spreadsheet: sheet 表单字段 is exported, read back unchanged (no new guide
version), edited to add, change and remove fields (a new version with them), and a bad sheet is refused
with every problem at once and nothing imported."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.domain.form_fields_sheet import COLUMNS, SHEET
from app.errors import ValidationFailed
from app.models.catalog import MatterField
from app.platform import records
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from app.services.catalog import transfer
from tests import factories

CODE = "KYTB-HRSS-001"
TITLES = [title for _, title, _ in COLUMNS]


def _with_fields(db):
    matter = factories.matter(db, CODE)
    records.save(db, MatterField(matter=matter, key="move_to", label="迁入地址", kind="address", required=True,
                                 help="写到门牌号", max_length=120), SYSTEM)
    records.save(db, MatterField(matter=matter, key="reason", label="迁移原因", kind="choice",
                                 choices="投靠\n务工"), SYSTEM)
    records.save(db, MatterField(matter=matter, key="months", label="缴费月数", kind="number", min_value=1,
                                 max_value=600.5), SYSTEM)
    catalog.publish_matter(db, matter, SYSTEM)
    return matter


def _fields_rows(data: bytes, code: str = CODE) -> list[dict]:
    """The rows of the matter ``code`` (the demo's 户口迁移 has fields of its own)."""
    sheet = load_workbook(BytesIO(data))[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TITLES
    return [dict(zip(TITLES, r)) for r in rows[1:] if r[0] == code]


def _with_rows(data: bytes, rows: list[dict]) -> bytes:
    """The export with the fields of CODE replaced by ``rows`` (after the other matters' rows)."""
    book = load_workbook(BytesIO(data))
    others = [r for r in list(book[SHEET].iter_rows(values_only=True))[1:] if r[0] != CODE]
    del book[SHEET]
    sheet = book.create_sheet(SHEET)
    sheet.append(TITLES)
    for row in others:
        sheet.append(list(row))
    for row in rows:
        sheet.append([row.get(t) for t in TITLES])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_fields_round_trip_through_the_spreadsheet(db):
    matter = _with_fields(db)
    data = transfer.export_catalog(db, SYSTEM)
    rows = _fields_rows(data)
    assert [(r["事项编码"], r["字段标识"], r["类型"], r["必填"]) for r in rows] == [
        (CODE, "move_to", "地址", "是"), (CODE, "reason", "选项", "否"), (CODE, "months", "数字", "否")]
    assert rows[1]["选项（每行一个）"] == "投靠\n务工"
    version = matter.current_guide.version
    result = transfer.import_catalog(db, data, SYSTEM)
    assert result.new_versions == 0 and CODE in result.unchanged
    assert matter.current_guide.version == version

    rows[0]["必填"] = "否"
    rows[0]["字段名称"] = "迁入地详细地址"
    del rows[2]
    rows.append({"事项编码": CODE, "序号": 9, "字段标识": "employer", "字段名称": "最后就业单位", "类型": "文本",
                 "必填": "是"})
    result = transfer.import_catalog(db, _with_rows(data, rows), SYSTEM)
    assert result.new_versions == 1 and CODE in result.updated
    db.refresh(matter)
    assert [(f["key"], f["label"], f["required"]) for f in matter.current_guide.content["fields"]] == [
        ("move_to", "迁入地详细地址", False), ("reason", "迁移原因", False), ("employer", "最后就业单位", True)]


def test_a_workbook_without_the_sheet_keeps_the_fields(db):
    matter = _with_fields(db)
    book = load_workbook(BytesIO(transfer.export_catalog(db, SYSTEM)))
    del book[SHEET]
    out = BytesIO()
    book.save(out)
    assert transfer.import_catalog(db, out.getvalue(), SYSTEM).new_versions == 0
    assert len(matter.fields) == 3


def test_a_bad_fields_sheet_is_refused_with_every_problem_and_nothing_changes(db):
    matter = _with_fields(db)
    data = transfer.export_catalog(db, SYSTEM)
    rows = _fields_rows(data)
    first = 2 + len(_fields_rows(data, "KYTB-POL-002"))  # the sheet row of CODE's first field
    rows[0]["类型"] = "颜色"                 # unknown kind
    rows[1]["选项（每行一个）"] = ""          # a choice without choices
    rows[2]["最小值"], rows[2]["最大值"] = 9, 1  # least over most
    rows.append({"事项编码": "NO-SUCH", "字段标识": "x", "字段名称": "某项", "类型": "文本"})
    rows.append({"事项编码": CODE, "字段标识": "reason", "字段名称": "重复", "类型": "文本", "序号": "abc"})
    with pytest.raises(ValidationFailed) as refused:
        transfer.import_catalog(db, _with_rows(data, rows), SYSTEM)
    messages = [str(p.message).replace("row ", "第").replace(": ", "行：", 1) for p in refused.value.problems]
    assert any(f"第{first}行" in m and "类型" in m for m in messages), messages
    assert any(f"第{first + 1}行" in m for m in messages), messages
    assert any(f"第{first + 2}行" in m for m in messages), messages
    assert any(f"第{first + 3}行" in m and "NO-SUCH" in m for m in messages), messages
    assert any(f"第{first + 4}行" in m and "序号" in m for m in messages), messages
    db.refresh(matter)
    assert [f.kind for f in matter.fields] == ["address", "choice", "number"]
