"""Importing and exporting the 通办事项清单 (matter catalog) spreadsheet."""

import io
import zipfile
from dataclasses import replace

import openpyxl
import pytest

import config
from app.domain.catalog_sheet import (
    COLUMNS,
    DEFAULT_TITLE,
    INSTRUCTIONS_SHEET,
    NOT_IN_SHEET,
    NOT_XLSX_MESSAGE,
    SAMPLE_MATTER,
    Lookup,
    MaterialRecord,
    MatterRecord,
    NamesForExport,
    SheetProblem,
    parse_catalog_xlsx,
    template_xlsx,
    write_catalog_xlsx,
)
from app.domain.upload_checks import SheetLimits

NAMES = NamesForExport(
    lines={"hrss": "人力资源和社会保障", "police": "公安", "housing_fund": "住房公积金"},
    handling_types={
        "kuasheng": "跨省通办",
        "shengnei": "省内通办",
        "chuanyu": "川渝通办",
        "hangguang": "杭广通办",
        "xinan5": "西南五省通办",
    },
    complaint_phone="12345",
)
LOOKUP = Lookup.from_names(NAMES)
LIMITS = SheetLimits.from_settings(vars(config))
TITLES = [c.title for c in COLUMNS]

# One valid row, by column key; tests override single cells.
VALID = {
    "code": "A-001",
    "name": "社会保障卡申领",
    "line": "人力资源和社会保障",
    "handling_types": "跨省通办",
    "legal_limit_days": 20,
    "promised_limit_days": 10,
    "fee_note": None,
    "consult_phone": "0839-3266012",
    "complaint_phone": None,
    "acceptance_conditions": None,
    "review_points": None,
    "precheck": None,
    "precheck_hours": None,
    "max_extension_days": None,
    "authority": None,
    "legal_basis": None,
    "process_steps": None,
    "visits": None,
    "faq": None,
    "seq": 1,
    "material_name": "居民身份证",
    "copies": 1,
    "form": "原件",
    "required": "是",
    "original_check": "否",
    "deferrable": None,
    "material_note": None,
}
# The columns a sheet made before 容缺受理, 远程预审, 延期上限 and the guide elements of issue 13 lacks.
LATER_TITLES = ("需远程预审", "预审时限（工作小时）", "延期上限（工作日）", "实施机关", "设定依据", "办理流程", "到现场次数",
                "常见问题", "可容缺")


def _row(**cells):
    values = {**VALID, **cells}
    return [values[c.key] for c in COLUMNS]


def _xlsx(rows, *, header=TITLES, title="事项清单"):
    """A workbook as an administrator might fill it; title=None puts the header in row 1."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title is not None:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _where(problems):
    return [(p.row, p.column) for p in problems]


def _material(seq, name="居民身份证", **kw):
    fields = {"copies": 1, "form": "copy", "required": True, "original_check": False, "note": ""}
    fields.update(kw)
    return MaterialRecord(seq=seq, name=name, **fields)


def _matter(code, materials, **kw):
    fields = {
        "name": "社会保障卡申领",
        "line": "hrss",
        "handling_types": ("kuasheng",),
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "fee_note": "不收费",
        "consult_phone": "",
        "complaint_phone": "12345",
        "acceptance_conditions": "",
        "review_points": "",
    }
    fields.update(kw)
    return MatterRecord(code=code, materials=tuple(materials), **fields)


# -- template ---------------------------------------------------------------------


def test_template_parses_without_problems_and_yields_the_sample_matter():
    matters, problems = parse_catalog_xlsx(template_xlsx(NAMES), LOOKUP, LIMITS)

    assert problems == []
    assert matters == [replace(SAMPLE_MATTER, complaint_phone=NAMES.complaint_phone)]
    assert matters[0].first_row == 3
    assert [m.name for m in matters[0].materials] == ["居民身份证", "近期免冠彩色照片"]


def test_template_has_title_header_drop_downs_and_an_instructions_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(NAMES)))
    sheet = workbook.worksheets[0]

    assert sheet["A1"].value == DEFAULT_TITLE
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:AA1"]
    assert [c.value for c in sheet[2]] == TITLES
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("D9D9D9") for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == 4  # title, header, two example rows
    assert sheet.column_dimensions["O"].width == COLUMNS[14].width
    assert sheet["K3"].alignment.wrap_text  # 审核要点
    drop_downs = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert drop_downs == {
        "L3:L1000": '"是,否"',
        "W3:W1000": '"原件,复印件,扫描件"',
        "X3:X1000": '"是,否"',
        "Y3:Y1000": '"是,否"',
        "Z3:Z1000": '"是,否"',
    }

    assert workbook.sheetnames[1] == INSTRUCTIONS_SHEET
    help_text = [c for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row if c]
    for expected in [*TITLES, "人力资源和社会保障", "西南五省通办", "扫描件", "xinan5"]:
        assert expected in help_text


def test_export_always_writes_the_instructions_sheet_which_the_parser_ignores():
    data = write_catalog_xlsx([], NAMES)

    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[1] == INSTRUCTIONS_SHEET
    assert parse_catalog_xlsx(data, LOOKUP, LIMITS) == ([], [SheetProblem(None, None, "表格中没有任何事项")])


# -- round trip -----------------------------------------------------------------------


def test_exported_matters_parse_back_equal():
    matters = [
        _matter(
            "KYTB-HRSS-002",
            [
                _material(2, "基本养老保险关系转移接续申请表", form="original"),
                _material(1, "居" * 60, copies=2, original_check=True, note="核验原件，留存复印件"),
                _material(3, "参保缴费凭证", form="scan", required=False),
            ],
            name="企业职工基本养老保险关系转移接续",
            handling_types=("chuanyu", "kuasheng", "xinan5"),
            legal_limit_days=45,
            promised_limit_days=45,
            consult_phone="0839-3266012",
            acceptance_conditions="参加企业职工基本养老保险、跨统筹地区流动就业的人员。",
            review_points="1. 核验申请人身份；\n2. 转出地、转入地信息准确；\n3. 不存在重复参保。",
        ),
        # Texts that a spreadsheet likes to mangle: leading zeros, a hotline
        # that looks like a number, and a note that looks like a formula.
        _matter(
            "0001",
            [_material(1, "户口簿", note="=见背面说明")],
            line="police",
            handling_types=("shengnei",),
            fee_note="工本费20元",
            complaint_phone="12345",
            consult_phone="12345",
        ),
    ]

    parsed, problems = parse_catalog_xlsx(write_catalog_xlsx(matters, NAMES), LOOKUP, LIMITS)

    assert problems == []
    # Materials come back sorted by seq.
    assert parsed == [replace(m, materials=tuple(sorted(m.materials, key=lambda x: x.seq))) for m in matters]
    assert parsed[0].materials[0].name == "居" * 60
    assert [m.first_row for m in parsed] == [3, 6]


def test_a_problem_free_parse_re_exports_to_the_same_records():
    messy = _xlsx(
        [
            _row(code=" A-001\u3000", legal_limit_days="20个工作日", handling_types="跨省通办,kuasheng；川渝通办"),
            _row(seq=2.0, copies="2份", form="COPY", required=None, original_check="√", material_name="照片",
                 handling_types="kuasheng、chuanyu"),
        ]
    )
    first, problems = parse_catalog_xlsx(messy, LOOKUP, LIMITS)
    again, more = parse_catalog_xlsx(write_catalog_xlsx(first, NAMES), LOOKUP, LIMITS)

    assert problems == more == []
    assert again == first


# -- errors are all reported at once ------------------------------------------------------


def test_a_file_full_of_errors_reports_every_one_with_row_and_column():
    rows = [
        _row(),                                                # 3  A: valid first row
        _row(code=None),                                       # 4  missing code
        _row(code="B-001", line="交通运输"),                   # 5  unknown line
        _row(code="C-001", handling_types="跨省通办、跨市通办"),  # 6  unknown handling type
        _row(code="D-001", legal_limit_days=10, promised_limit_days=15),  # 7 promised > legal
        _row(seq=2, copies="两份"),                            # 8  bad copies
        _row(seq=1),                                           # 9  seq 1 again in A
        _row(seq=3, legal_limit_days="30"),                    # 10 differs from row 3
        _row(seq=4, required="可能"),                          # 11 bad 是/否
        _row(seq=5, form="传真件"),                            # 12 bad form
        [None] * len(COLUMNS),                                 # 13 empty: skipped
        _row(code="E-001", name=None, copies=0, original_check="maybe"),  # 14 three problems
        _row(code="E-001", seq=2, name=None, review_points="另一套要点"),  # 15 name again, differs
        _row(seq=6, legal_limit_days="20个工作日", promised_limit_days=10.0),  # 16 A: same values
        _row(code="F-001"),                                    # 17 valid matter
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert _where(problems) == [
        (4, "事项编码"),
        (5, "业务条线"),
        (6, "通办类型"),
        (7, "承诺办理总时限(工作日)"),
        (8, "份数"),
        (9, "材料序号"),
        (10, "法定时限(工作日)"),
        (11, "是否必需"),
        (12, "材料形式"),
        (14, "事项名称"),
        (14, "份数"),
        (14, "需核验原件"),
        (15, "事项名称"),
        (15, "审核要点"),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == "第4行「事项编码」：不能为空"
    assert messages[1].startswith("第5行「业务条线」：未知的业务条线“交通运输”，可填写：人力资源和社会保障、公安")
    assert messages[2].startswith("第6行「通办类型」：未知的通办类型“跨市通办”，可填写：跨省通办")
    assert messages[3] == "第7行「承诺办理总时限(工作日)」：不能超过法定时限（10个工作日），实际为15"
    assert messages[4] == "第8行「份数」：应为1到99之间的整数，实际为“两份”"
    assert messages[5] == "第9行「材料序号」：序号1与第3行重复（同一事项的材料序号不能重复）"
    assert messages[6] == "第10行「法定时限(工作日)」：与第3行同一事项的值（20）不一致"
    assert messages[7] == "第11行「是否必需」：应填“是”或“否”，实际为“可能”"
    assert messages[8] == "第12行「材料形式」：应填“原件”、“复印件”、“扫描件”，实际为“传真件”"
    assert messages[13] == "第15行「审核要点」：与第14行同一事项的值（空白）不一致"
    # Only the untouched matter comes back.
    assert [m.code for m in matters] == ["F-001"]
    assert matters[0].first_row == 17


def test_equal_values_written_differently_are_consistent_across_rows():
    rows = [
        _row(legal_limit_days=20, handling_types="跨省通办、川渝通办", line="hrss", fee_note="不收费"),
        _row(seq=2, legal_limit_days="20个工作日", handling_types="chuanyu\nkuasheng", line="人力资源和社会保障"),
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].handling_types == ("kuasheng", "chuanyu")  # as on the first row


def test_header_problems_are_all_reported():
    header = [t for t in TITLES if t != "份数"]
    header[0] = "事项编号"  # misspelled
    header.append("备注")

    matters, problems = parse_catalog_xlsx(_xlsx([_row()], header=header), LOOKUP, LIMITS)

    assert matters == []
    assert sorted(p.message for p in problems) == sorted(
        [
            "第2行A列：未知的表头「事项编号」，请使用本系统的导入模板",
            "第2行AA列：未知的表头「备注」，请使用本系统的导入模板",
            "第2行：缺少表头「事项编码」",
            "第2行：缺少表头「份数」",
        ]
    )


def test_an_unknown_extra_column_is_reported_but_the_rows_are_still_checked():
    header = [*TITLES, "备注"]

    _, problems = parse_catalog_xlsx(_xlsx([_row(copies=100) + ["随便写"]], header=header), LOOKUP, LIMITS)

    assert _where(problems) == [(2, "备注"), (3, "份数")]


def test_a_repeated_header_column_is_reported():
    _, problems = parse_catalog_xlsx(_xlsx([_row()], header=[*TITLES, "份数"]), LOOKUP, LIMITS)

    assert [p.message for p in problems] == ["第2行AB列：表头「份数」重复"]


def test_header_may_be_in_row_1_without_a_title_row():
    matters, problems = parse_catalog_xlsx(_xlsx([_row(), _row(seq=2)], title=None), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].first_row == 2
    assert [m.seq for m in matters[0].materials] == [1, 2]


def test_header_titles_with_full_width_brackets_are_accepted():
    header = [t.replace("(", "（").replace(")", "）") for t in TITLES]

    _, problems = parse_catalog_xlsx(_xlsx([_row()], header=header), LOOKUP, LIMITS)

    assert problems == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls file",
        "事项编码,事项名称\nA-001,社保卡\n".encode("utf-8"),
    ],
    ids=["empty", "xls", "csv"],
)
def test_a_non_xlsx_upload_gives_one_clear_problem(data):
    assert parse_catalog_xlsx(data, LOOKUP, LIMITS) == ([], [SheetProblem(None, None, NOT_XLSX_MESSAGE)])


def test_a_zip_that_is_not_a_workbook_gives_the_same_problem():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")

    assert parse_catalog_xlsx(buffer.getvalue(), LOOKUP, LIMITS) == ([], [SheetProblem(None, None, NOT_XLSX_MESSAGE)])


def test_rows_beyond_the_cap_are_a_problem_and_are_not_checked():
    rows = [_row(seq=n) for n in range(1, 4)] + [_row(seq=4, copies="很多"), _row(seq=5)]

    _, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, replace(LIMITS, max_rows=3))

    assert problems == [
        SheetProblem(6, None, "第6行：数据超过3行，其后的内容未检查，请拆分为多个文件分别导入")
    ]


# -- cell values ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["hrss", "HRSS", "人力资源和社会保障", " 人力资源和社会保障\u3000"])
def test_business_line_accepts_code_or_chinese_name(text):
    matters, problems = parse_catalog_xlsx(_xlsx([_row(line=text)]), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].line == "hrss"


@pytest.mark.parametrize(
    "text",
    [
        "跨省通办、川渝通办",
        "跨省通办,川渝通办",
        "跨省通办，川渝通办",
        "跨省通办;川渝通办",
        "跨省通办；川渝通办",
        "跨省通办\n川渝通办",
        "kuasheng、chuanyu",
        "跨省通办、chuanyu、kuasheng、",  # repeats and a trailing separator
    ],
)
def test_handling_types_accept_every_separator_names_and_codes(text):
    matters, problems = parse_catalog_xlsx(_xlsx([_row(handling_types=text)]), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].handling_types == ("kuasheng", "chuanyu")


def test_lookup_from_names_accepts_codes_and_names():
    assert LOOKUP.lines["hrss"] == LOOKUP.lines["人力资源和社会保障"] == "hrss"
    assert LOOKUP.handling_types["xinan5"] == LOOKUP.handling_types["西南五省通办"] == "xinan5"


@pytest.mark.parametrize("value", [20, 20.0, "20", "20.0", " 20 ", "20个工作日", "20 工作日", "20日", "20天", "２０"])
def test_limits_accept_whole_numbers_with_an_optional_unit(value):
    matters, problems = parse_catalog_xlsx(_xlsx([_row(legal_limit_days=value)]), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].legal_limit_days == 20


@pytest.mark.parametrize("value", [0, -3, 20.5, "二十", "20个月", "约20天", True, "1000"])
def test_limits_reject_anything_else(value):
    _, problems = parse_catalog_xlsx(_xlsx([_row(legal_limit_days=value, promised_limit_days=1)]), LOOKUP, LIMITS)

    assert _where(problems) == [(3, "法定时限(工作日)")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("NO", False),
     ("true", True), ("FALSE", False), (1, True), (0, False), ("1", True), ("0", False),
     ("√", True), ("×", False), (True, True), (False, False)],
)
def test_yes_no_columns_accept_the_usual_spellings(value, expected):
    matters, problems = parse_catalog_xlsx(_xlsx([_row(required=value, original_check=value)]), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].materials[0].required is expected
    assert matters[0].materials[0].original_check is expected


@pytest.mark.parametrize(("text", "code"), [("原件", "original"), ("复印件", "copy"), ("扫描件", "scan"), ("Scan", "scan")])
def test_material_form_accepts_chinese_names_and_codes(text, code):
    matters, problems = parse_catalog_xlsx(_xlsx([_row(form=text)]), LOOKUP, LIMITS)

    assert problems == []
    assert matters[0].materials[0].form == code


def test_empty_optional_cells_take_their_defaults():
    matters, problems = parse_catalog_xlsx(_xlsx([_row(required=None, original_check=None)]), LOOKUP, LIMITS)

    assert problems == []
    matter = matters[0]
    assert (matter.fee_note, matter.complaint_phone, matter.acceptance_conditions) == ("不收费", "12345", "")
    assert (matter.materials[0].required, matter.materials[0].original_check) == (True, False)


def test_a_blank_complaint_phone_is_the_installations_hotline_named_in_the_template():
    names = replace(NAMES, complaint_phone="0839-12345")
    matters, problems = parse_catalog_xlsx(_xlsx([_row(complaint_phone=None)]), Lookup.from_names(names), LIMITS)

    assert problems == [] and matters[0].complaint_phone == "0839-12345"
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(names)))
    assert workbook.worksheets[0]["I3"].value == "0839-12345"  # the example row
    help_text = [c for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row if c]
    assert "不超过32个字；不填视为“0839-12345”" in help_text


def test_numbers_typed_into_text_columns_keep_their_digits():
    matters, problems = parse_catalog_xlsx(_xlsx([_row(code=510800, complaint_phone=12345.0)]), LOOKUP, LIMITS)

    assert problems == []
    assert (matters[0].code, matters[0].complaint_phone) == ("510800", "12345")


def test_rows_of_a_matter_need_not_be_adjacent_and_empty_rows_are_skipped():
    rows = [
        _row(seq=2, material_name="照片"),
        [None] * len(COLUMNS),
        ["", "\u3000", " "] + [None] * (len(COLUMNS) - 3),
        _row(code="B-001"),
        _row(seq=1),
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert problems == []
    assert [(m.code, m.first_row) for m in matters] == [("A-001", 3), ("B-001", 6)]
    assert [m.name for m in matters[0].materials] == ["居民身份证", "照片"]


def test_length_limits_are_checked():
    _, problems = parse_catalog_xlsx(_xlsx([_row(code="X" * 65, material_name="材" * 256)]), LOOKUP, LIMITS)

    assert [p.message for p in problems] == [
        "第3行「事项编码」：不能超过64个字，实际为65个字",
        "第3行「材料名称」：不能超过255个字，实际为256个字",
    ]


def test_an_empty_workbook_is_reported_as_empty():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)

    assert parse_catalog_xlsx(buffer.getvalue(), LOOKUP, LIMITS) == ([], [SheetProblem(None, None, "表格是空的")])


def test_export_falls_back_to_codes_the_names_do_not_know_and_still_round_trips():
    matter = _matter("A-001", [_material(1)], line="market", handling_types=("kuasheng", "yugui"))
    lookup = Lookup(
        lines={**LOOKUP.lines, "market": "market"},
        handling_types={**LOOKUP.handling_types, "yugui": "yugui"},
        complaint_phone=LOOKUP.complaint_phone,
    )

    parsed, problems = parse_catalog_xlsx(write_catalog_xlsx([matter], NAMES), lookup, LIMITS)

    assert problems == []
    assert parsed == [matter]


def test_a_workbook_with_a_corrupt_sheet_gives_the_same_problem():
    source = zipfile.ZipFile(io.BytesIO(_xlsx([_row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as damaged:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # cut off mid-row
            damaged.writestr(item, content)

    assert parse_catalog_xlsx(buffer.getvalue(), LOOKUP, LIMITS) == ([], [SheetProblem(None, None, NOT_XLSX_MESSAGE)])


# -- 容缺受理 and 远程预审 ----------------------------------------------------------------


def test_the_deferrable_and_pre_check_flags_survive_the_round_trip():
    matters = [
        _matter("A-001", [_material(1), _material(2, "照片", required=False, deferrable=True)],
                precheck=True, precheck_hours=8),
        _matter("B-001", [_material(1)]),
    ]

    parsed, problems = parse_catalog_xlsx(write_catalog_xlsx(matters, NAMES), LOOKUP, LIMITS)

    assert problems == []
    assert parsed == matters
    assert (parsed[0].precheck, parsed[0].precheck_hours) == (True, 8)
    assert [m.deferrable for m in parsed[0].materials] == [False, True]
    assert (parsed[1].precheck, parsed[1].precheck_hours, parsed[1].materials[0].deferrable) == (False, 4, False)


def test_pre_check_columns_repeat_on_each_row_of_the_matter_and_take_their_defaults_when_blank():
    rows = [_row(precheck="是", precheck_hours="8小时", deferrable="√"), _row(seq=2, precheck="Y", precheck_hours=8)]
    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)
    assert problems == []
    assert (matters[0].precheck, matters[0].precheck_hours) == (True, 8)
    assert [m.deferrable for m in matters[0].materials] == [True, False]

    matters, problems = parse_catalog_xlsx(_xlsx([_row(precheck="是")]), LOOKUP, LIMITS)
    assert problems == []
    assert (matters[0].precheck, matters[0].precheck_hours) == (True, 4)


def test_an_older_sheet_without_the_deferrable_and_pre_check_columns_imports_saying_nothing_of_them():
    header = [t for t in TITLES if t not in LATER_TITLES]
    keys = [c.key for c in COLUMNS if c.title not in LATER_TITLES]
    rows = [[{**VALID, "seq": seq}[k] for k in keys] for seq in (1, 2)]

    matters, problems = parse_catalog_xlsx(_xlsx(rows, header=header), LOOKUP, LIMITS)

    assert problems == []
    # None: not in the sheet (the import keeps an existing matter's flags; a new matter takes the defaults)
    assert (matters[0].precheck, matters[0].precheck_hours) == (None, None)
    assert matters[0].max_extension_days is NOT_IN_SHEET  # None would mean "the general rule"
    assert [m.deferrable for m in matters[0].materials] == [None, None]


def test_a_sheet_with_only_some_of_the_newer_columns_imports_the_ones_it_has():
    header = [t for t in TITLES if t != "预审时限（工作小时）"]
    keys = [c.key for c in COLUMNS if c.title != "预审时限（工作小时）"]
    row = {**VALID, "precheck": "是"}

    matters, problems = parse_catalog_xlsx(_xlsx([[row[k] for k in keys]], header=header), LOOKUP, LIMITS)

    assert problems == []
    assert (matters[0].precheck, matters[0].precheck_hours) == (True, None)


def test_bad_pre_check_and_deferrable_values_are_all_reported_with_row_and_column():
    rows = [
        _row(precheck="也许"),                                  # 3
        _row(code="B-001", precheck="是", precheck_hours=0),   # 4
        _row(code="C-001", precheck_hours=41, deferrable="maybe"),  # 5
        _row(code="D-001", precheck_hours="4.5"),              # 6
        _row(code="E-001", precheck="是", precheck_hours=8),   # 7
        _row(code="E-001", seq=2, precheck="否", precheck_hours=6),  # 8 differs from row 7
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert matters == []
    assert _where(problems) == [
        (3, "需远程预审"),
        (4, "预审时限（工作小时）"),
        (5, "预审时限（工作小时）"),
        (5, "可容缺"),
        (6, "预审时限（工作小时）"),
        (8, "需远程预审"),
        (8, "预审时限（工作小时）"),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == "第3行「需远程预审」：应填“是”或“否”，实际为“也许”"
    assert messages[1] == "第4行「预审时限（工作小时）」：应为1到40之间的整数（工作小时），实际为“0”"
    assert messages[3] == "第5行「可容缺」：应填“是”或“否”，实际为“maybe”"
    assert messages[5] == "第8行「需远程预审」：与第7行同一事项的值（是）不一致"


# -- 延期上限 -------------------------------------------------------------------------------


def test_the_extension_cap_survives_the_round_trip_and_a_blank_cell_is_the_general_rule():
    matters = [_matter("A-001", [_material(1)], max_extension_days=0),
               _matter("B-001", [_material(1)], max_extension_days=30),
               _matter("C-001", [_material(1)])]

    parsed, problems = parse_catalog_xlsx(write_catalog_xlsx(matters, NAMES), LOOKUP, LIMITS)

    assert problems == []
    assert [m.max_extension_days for m in parsed] == [0, 30, None]


def test_the_extension_cap_reads_days_written_as_text_and_reports_what_is_not_a_cap():
    rows = [
        _row(max_extension_days="15个工作日"),                    # 3
        _row(code="B-001", max_extension_days=-1),              # 4
        _row(code="C-001", max_extension_days="十天"),           # 5
        _row(code="D-001", max_extension_days=5),               # 6
        _row(code="D-001", seq=2, max_extension_days=6),        # 7 differs from row 6
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert [m.max_extension_days for m in matters] == [15]
    assert _where(problems) == [(4, "延期上限（工作日）"), (5, "延期上限（工作日）"), (7, "延期上限（工作日）")]
    assert problems[0].message == "第4行「延期上限（工作日）」：应为0到999之间的整数（工作日），或不填，实际为“-1”"


# -- 办事指南 elements (实施机关, 设定依据, 办理流程, 到现场次数, 常见问题) --------------------------------------

FAQ = "问：要本人到场吗？\n答：可以委托他人办理。\n\n问：收费吗？\n答：不收费。"


def test_the_guide_elements_survive_the_round_trip_and_blank_cells_are_their_defaults():
    matters = [_matter("A-001", [_material(1)], authority="利州区人力资源和社会保障局",
                       legal_basis="《中华人民共和国社会保险法》第五十八条", process_steps="申请\n受理\n审核\n办结\n送达",
                       visits=0, faq=FAQ),
               _matter("B-001", [_material(1)])]

    parsed, problems = parse_catalog_xlsx(write_catalog_xlsx(matters, NAMES), LOOKUP, LIMITS)

    assert problems == []
    assert parsed == matters
    assert (parsed[1].authority, parsed[1].legal_basis, parsed[1].process_steps, parsed[1].visits, parsed[1].faq) == (
        "", "", "", 1, "")


def test_an_older_sheet_without_the_guide_element_columns_leaves_them_not_given():
    matters, problems = parse_catalog_xlsx(_older_sheet(), LOOKUP, LIMITS)

    assert problems == []
    record = matters[0]
    assert (record.authority, record.legal_basis, record.process_steps, record.visits, record.faq) == (
        None, None, None, None, None)


def _older_sheet():
    keep = [i for i, c in enumerate(COLUMNS) if c.title not in LATER_TITLES]
    row = _row()
    return _xlsx([[row[i] for i in keep]], header=[TITLES[i] for i in keep])


def test_bad_visits_and_questions_are_all_reported_with_row_and_column():
    rows = [
        _row(visits="2次"),                                          # 3 fine
        _row(code="B-001", visits=10),                               # 4
        _row(code="C-001", visits="两次"),                            # 5
        _row(code="D-001", faq="问：只有问题没有回答"),                   # 6
        _row(code="E-001", faq=FAQ + "\n\n答：没有问题的回答"),          # 7: the third block
        _row(code="F-001", authority="局" * 256),                     # 8
    ]

    matters, problems = parse_catalog_xlsx(_xlsx(rows), LOOKUP, LIMITS)

    assert [m.visits for m in matters] == [2]
    assert _where(problems) == [(4, "到现场次数"), (5, "到现场次数"), (6, "常见问题"), (7, "常见问题"), (8, "实施机关")]
    assert problems[0].message == "第4行「到现场次数」：应为0到9之间的整数（次），实际为“10”"
    assert problems[3].message == "第7行「常见问题」：第3条应写成“问：……”一行、“答：……”一行，两条之间空一行"
