"""The work ledger as attachment 3 prints it: title, the eight columns, the rows of a filter, and the
footnote that lists the handling types — as XLSX written in streaming mode so 100,000 rows stay within a
small, flat memory (app.domain.xlsx_stream, rows fetched in batches), and as PDF (app.documents.ledger_pdf).

Phones are written in full for the window that keeps the ledger, masked for those who only supervise.

``LedgerFilter`` is what the ledger screen can filter on. ``LedgerFilter.from_screen`` takes the
screen's filters as (column, operator, values) — the operators of Flask-AppBuilder's search form
(``eq``, ``gt``, ``lt``, ``ct``, ``sw`` …) — and gives a filter that selects exactly the rows the screen
shows; a filter that cannot be read (a date that is not a date) is refused with every problem at once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import islice
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain import form_fields
from app.domain.privacy import mask_phone
from app.domain.xlsx_stream import PrintSetup, write_table
from app.errors import ProblemCollector
from app.models.case import Case, LedgerEntry
from app.models.catalog import Guide, HandlingType
from app.models.org import ServiceCenter
from app.scope import Reach, as_record_id, criterion
from app.services.calendar import load_calendar
from app.services.cases.clock import clock_remarks, with_clock_remark

TITLE = "广元市政务服务“跨域通办”工作登记台账"
#: the eight columns of 附件3 in their order, with three more a city-wide export needs to be read: the
#: case number and the window whose ledger the row is (after 日期), and what became of the case (办理情况:
#: a declined case is work the window did, listed as 不予受理)
HEADER = ("日期", "编号", "窗口", "申请人", "联系电话", "通办类型", "通办具体地区", "事项名称", "经办人", "办理情况",
          "备注")
WIDTHS = (12, 20, 24, 10, 14, 11, 18, 32, 9, 11, 26)
#: the spreadsheet adds 补充信息: the values of the matter's extra fields (issue 15 item 3) as
#: "label：value；label：value", an ID number or phone among them masked where the applicant's phone is (the PDF
#: keeps the attachment's columns)
XLSX_HEADER = HEADER + ("补充信息",)
XLSX_WIDTHS = WIDTHS + (36,)
#: 办理情况 of each status, as printed (the ledger is the attachment, in Chinese whatever the user's language)
OUTCOMES = {"draft": "待受理", "accepted": "已受理", "rejected": "不予受理", "in_transit": "材料寄递中",
            "received": "已签收", "processing": "办理中", "correction": "待补正", "completed": "已办结",
            "result_sent": "结果寄递中", "delivered": "已送达", "archived": "已归档", "withdrawn": "已撤回"}
RESULTS = {"approved": "准予", "denied": "不予"}
BATCH = 2000
AUTHOR = "广元市政务服务和公共资源交易中心"
#: the sheet prints as the PDF does: landscape A4, one page wide, title and header on every page
PRINT_SETUP = PrintSetup(landscape=True, fit_width=True, title_rows=2)

#: text columns of the ledger the screen can filter on, and the operators of its search form
TEXT_COLUMNS = ("applicant_name", "applicant_phone", "handling_type_name", "region_name", "matter_name",
                "handler_name", "remarks")
TEXT_OPERATORS = ("sw", "ew", "ct", "eq", "nsw", "new", "nct", "neq", "in", "not_in")
COLUMN_LABELS = {"entry_date": "日期", "applicant_name": "申请人", "applicant_phone": "联系电话",
                 "handling_type_name": "通办类型", "region_name": "通办具体地区", "matter_name": "事项名称",
                 "handler_name": "经办人", "remarks": "备注", "center_id": "窗口"}
OPERATOR_LABELS = {"sw": "以…开头", "ew": "以…结尾", "ct": "包含", "eq": "等于", "nsw": "不以…开头",
                   "new": "不以…结尾", "nct": "不包含", "neq": "不等于", "in": "为其中之一", "not_in": "不为其中之一"}


#: the filters of the ledger's REST API (``LedgerFilter.from_fields``)
API_FILTERS = ("date_from", "date_to", "center_id", "handling_type_name", "matter_name", "applicant_name")


@dataclass(frozen=True)
class Condition:
    """One more condition of the screen's search form: ``column`` ``op`` ``value`` (a text, a tuple of
    texts for in / not_in, a date for entry_date, a center id for center_id)."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class LedgerFilter:
    date_from: date | None = None
    date_to: date | None = None
    center_id: int | None = None
    handling_type_name: str | None = None
    matter_name: str | None = None  # contained in the matter's name
    #: the screen's other conditions, each as its search form applies it
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    # --- through JSON (a background job keeps its filter) ------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, tuple):
                return list(value)
            return value

        data: dict[str, Any] = {}
        for name in ("date_from", "date_to", "center_id", "handling_type_name", "matter_name"):
            value = getattr(self, name)
            if value not in (None, ""):
                data[name] = plain(value)
        if self.conditions:
            data["conditions"] = [[c.column, c.op, plain(c.value)] for c in self.conditions]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LedgerFilter:
        data = dict(data or {})

        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        conditions = []
        for column, op, value in data.get("conditions") or []:
            if column == "entry_date":
                value = day(value)
            elif isinstance(value, list):
                value = tuple(value)
            conditions.append(Condition(column, op, value))
        return cls(date_from=day(data.get("date_from")), date_to=day(data.get("date_to")),
                   center_id=data.get("center_id"), handling_type_name=data.get("handling_type_name"),
                   matter_name=data.get("matter_name"), conditions=tuple(conditions))

    # --- from the ledger screen ----------------------------------------------------------------------

    @classmethod
    def from_screen(cls, filters: Iterable[tuple[str, str, Sequence[str]]]) -> LedgerFilter:
        """The filter of the ledger screen's search form: (column, operator, values) for each filter in
        the address. Raises ValidationFailed with every filter that cannot be read."""
        problems = ProblemCollector()
        flt = cls()
        conditions: list[Condition] = []
        for column, op, values in filters:
            values = [str(v) for v in values]
            if column == "entry_date":
                flt = _date_condition(flt, op, values, conditions, problems)
            elif column == "center":
                flt = _center_condition(flt, op, values, conditions, problems)
            elif column in TEXT_COLUMNS and op in TEXT_OPERATORS:
                flt = _text_condition(flt, column, op, values, conditions)
            else:
                problems.add(column, _l("The ledger cannot be exported with the filter %(column)s %(op)s.",
                                        column=column, op=op))
        problems.raise_if_any()
        return replace(flt, conditions=tuple(conditions))

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> LedgerFilter:
        """The filter of the ledger's REST API (``date_from``, ``date_to``, ``center_id``,
        ``handling_type_name``, ``matter_name`` contained, ``applicant_name`` contained): the columns the
        screen's search form offers. Names it does not know are left aside, as the screen leaves them.
        Raises ValidationFailed with every value that cannot be read."""
        problems = ProblemCollector()
        texts: dict[str, str] = {}
        for name in API_FILTERS:
            value = values.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                problems.add(name, _l("Enter a text."))
                continue
            texts[name] = str(value)
        days: dict[str, date | None] = {}
        for name in ("date_from", "date_to"):
            if name in texts:
                days[name] = _parse_day(texts[name]) if len(texts[name]) == 10 else None
                if days[name] is None:
                    problems.add(name, _l("Enter the date as YYYY-MM-DD."))
        center_id = None
        if "center_id" in texts:
            center_id = as_record_id(texts["center_id"])
            if center_id is None:
                problems.add("center_id", _l("Choose the window from the list."))
        problems.raise_if_any()
        conditions = (Condition("applicant_name", "ct", texts["applicant_name"]),) if "applicant_name" in texts else ()
        return cls(date_from=days.get("date_from"), date_to=days.get("date_to"), center_id=center_id,
                   handling_type_name=texts.get("handling_type_name"), matter_name=texts.get("matter_name"),
                   conditions=conditions)

    @property
    def empty_range(self) -> bool:
        return bool(self.date_from and self.date_to and self.date_from > self.date_to)


def _parse_day(text: str) -> date | None:
    text = text.strip()
    for candidate in (text, text[:10]):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def _date_condition(flt: LedgerFilter, op: str, values: list[str], conditions: list[Condition],
                    problems: ProblemCollector) -> LedgerFilter:
    if op not in ("eq", "gt", "lt", "neq"):
        problems.add("entry_date", _l("The ledger cannot be exported with the filter %(column)s %(op)s.",
                                      column="entry_date", op=op))
        return flt
    for text in values:
        day = _parse_day(text)
        if day is None:
            problems.add("entry_date", _l("Enter the date as YYYY-MM-DD."))
            continue
        if op == "neq":
            conditions.append(Condition("entry_date", "neq", day))
            continue
        # the screen's "greater than" and "smaller than" are strict: a range of whole days here
        low = day + timedelta(days=1) if op == "gt" else day if op == "eq" else None
        high = day - timedelta(days=1) if op == "lt" else day if op == "eq" else None
        if low is not None:
            flt = replace(flt, date_from=max(low, flt.date_from) if flt.date_from else low)
        if high is not None:
            flt = replace(flt, date_to=min(high, flt.date_to) if flt.date_to else high)
    return flt


def _center_condition(flt: LedgerFilter, op: str, values: list[str], conditions: list[Condition],
                      problems: ProblemCollector) -> LedgerFilter:
    if op not in ("rel_o_m", "nrel_o_m"):
        problems.add("center", _l("The ledger cannot be exported with the filter %(column)s %(op)s.",
                                  column="center", op=op))
        return flt
    for text in values:
        center_id = as_record_id(text)
        if center_id is None:
            problems.add("center", _l("Choose the window from the list."))
            continue
        if op == "nrel_o_m":
            conditions.append(Condition("center_id", "neq", center_id))
        elif flt.center_id is None:
            flt = replace(flt, center_id=center_id)
        elif flt.center_id != center_id:
            conditions.append(Condition("center_id", "eq", center_id))  # two windows at once: no row
    return flt


def _text_condition(flt: LedgerFilter, column: str, op: str, values: list[str],
                    conditions: list[Condition]) -> LedgerFilter:
    if op in ("in", "not_in"):
        conditions.append(Condition(column, op, tuple(values)))
        return flt
    for value in values:
        if op in ("sw", "ew", "ct") and value == "":
            continue  # matches every row, as on the screen
        if column == "handling_type_name" and op == "eq" and flt.handling_type_name is None:
            flt = replace(flt, handling_type_name=value)
        elif column == "matter_name" and op == "ct" and flt.matter_name is None:
            flt = replace(flt, matter_name=value)
        else:
            conditions.append(Condition(column, op, value))
    return flt


def _criterion(condition: Condition):
    """The SQL of one condition, as the screen's search form applies it (case-insensitive matching)."""
    op, value = condition.op, condition.value
    column = getattr(LedgerEntry, condition.column)
    if op in ("in", "not_in"):
        clause = column.in_(list(value))
        return clause if op == "in" else ~clause
    if op in ("eq", "neq"):
        return column == value if op == "eq" else column != value
    pattern = {"sw": "{}%", "nsw": "{}%", "ew": "%{}", "new": "%{}", "ct": "%{}%", "nct": "%{}%"}[op]
    escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clause = column.ilike(pattern.format(escaped), escape="\\")
    return ~clause if op.startswith("n") else clause


# --- the rows ----------------------------------------------------------------------------------------

_COLUMNS = (LedgerEntry.entry_date, Case.number.label("case_number"), ServiceCenter.name.label("window_name"),
            LedgerEntry.applicant_name, LedgerEntry.applicant_phone, LedgerEntry.handling_type_name,
            LedgerEntry.region_name, LedgerEntry.matter_name, LedgerEntry.handler_name, LedgerEntry.case_status,
            Case.result, LedgerEntry.remarks, LedgerEntry.center_id, LedgerEntry.id, LedgerEntry.case_id)


def _select():
    """The columns of the printed rows: the ledger row, its case's number and result, its window's name."""
    return (select(*_COLUMNS).join(Case, Case.id == LedgerEntry.case_id)
            .join(ServiceCenter, ServiceCenter.id == LedgerEntry.center_id))


def outcome(status: str, result: str | None) -> str:
    """办理情况: the case's status as printed, with the decision once the department decided."""
    text = OUTCOMES.get(status, status)
    if result in RESULTS and status in ("completed", "result_sent", "delivered", "archived"):
        text += f"（{RESULTS[result]}）"
    return text


def _where(reach: Reach, flt: LedgerFilter) -> list:
    clauses = [criterion(LedgerEntry, reach)]
    if flt.date_from:
        clauses.append(LedgerEntry.entry_date >= flt.date_from)
    if flt.date_to:
        clauses.append(LedgerEntry.entry_date <= flt.date_to)
    if flt.center_id:
        clauses.append(LedgerEntry.center_id == flt.center_id)
    if flt.handling_type_name:
        clauses.append(LedgerEntry.handling_type_name == flt.handling_type_name)
    if flt.matter_name:
        clauses.append(LedgerEntry.matter_name.contains(flt.matter_name, autoescape=True))
    clauses.extend(_criterion(c) for c in flt.conditions)
    return clauses


def ledger_rows(session: Session, reach: Reach, flt: LedgerFilter) -> Iterator[tuple]:
    """The rows in scope and filter, oldest first, fetched in batches (never all at once)."""
    stmt = (_select().where(*_where(reach, flt))
            .order_by(LedgerEntry.entry_date, LedgerEntry.id).execution_options(yield_per=BATCH))
    yield from session.execute(stmt)


def ledger_batches(session: Session, reach: Reach, flt: LedgerFilter, size: int | None = None) -> Iterator[list[tuple]]:
    """The same rows, one fully fetched batch at a time (keyset pagination): no cursor stays open
    between batches, so a job may commit its progress in between."""
    size = size or BATCH
    last: tuple[date, int] | None = None
    where = _where(reach, flt)
    while True:
        stmt = _select().where(*where)
        if last is not None:
            stmt = stmt.where(or_(LedgerEntry.entry_date > last[0],
                                  and_(LedgerEntry.entry_date == last[0], LedgerEntry.id > last[1])))
        rows = session.execute(stmt.order_by(LedgerEntry.entry_date, LedgerEntry.id).limit(size)).all()
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = (rows[-1].entry_date, rows[-1].id)


def entries(session: Session, reach: Reach, flt: LedgerFilter, *, offset: int = 0,
            limit: int = 50) -> list[LedgerEntry]:
    """One page of the ledger rows in scope and filter, as the screen orders them (newest day first)."""
    return list(session.scalars(select(LedgerEntry).where(*_where(reach, flt))
                                .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc())
                                .offset(offset).limit(limit)))


def count_rows(session: Session, reach: Reach, flt: LedgerFilter) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntry).where(*_where(reach, flt))) or 0


def _printed(row: Any, full_for: frozenset[int], full_cases: set[int] | None, clock_text: str = "") -> tuple:
    """The printed values of a row, in HEADER's order: the phone in full for the reach's own windows
    (whose clerks stand on a side of the case), masked for the rows of windows it only supervises. The
    cases printed in full are added to ``full_cases``, for the access log. 备注: the hand-typed remarks,
    then ``clock_text`` (the case's pauses and extensions, ``app.services.cases.clock.clock_remark``)."""
    if row.center_id in full_for:
        phone = row.applicant_phone
        if full_cases is not None:
            full_cases.add(row.case_id)
    else:
        phone = mask_phone(row.applicant_phone)
    return (row.entry_date, row.case_number or "", row.window_name, row.applicant_name, phone,
            row.handling_type_name, row.region_name, row.matter_name, row.handler_name,
            outcome(row.case_status, row.result), with_clock_remark(row.remarks, clock_text))


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def printed_rows(session: Session, reach: Reach, batches: Iterable[list[tuple]],
                 on_batch: Callable[[int], Any] | None = None, full_cases: set[int] | None = None,
                 extra: bool = False) -> Iterator[tuple]:
    """The printed values of each row (``_printed``), the clock's words of each batch's cases read in two
    queries per batch. ``on_batch(n)`` before each batch after the first. ``extra``: each row ends with
    补充信息 (``XLSX_HEADER``), read in one query per batch (and once per guide version)."""
    full_for = reach.center_ids
    calendar, today = load_calendar(session), date.today()
    definitions: dict[int, list[form_fields.FieldDefinition]] = {}
    done = 0
    for batch in batches:
        if done and on_batch is not None:
            on_batch(done)
        texts = clock_remarks(session, calendar, [row.case_id for row in batch], today)
        values = _extra_values(session, [row.case_id for row in batch], definitions) if extra else {}
        for row in batch:
            printed = _printed(row, full_for, full_cases, texts.get(row.case_id, ""))
            if extra:
                guide_id, answers = values.get(row.case_id, (None, None))
                printed += (form_fields.one_line(definitions.get(guide_id, []), answers,
                                                 masked=row.center_id not in full_for),)
            yield printed
        done += len(batch)


def supplementary_text(case: Case | None, *, masked: bool = True) -> str:
    """补充信息 of a ledger row's case on one line ("label：value；label：value"), as the XLSX column writes it,
    an ID number or phone among the values masked when ``masked`` (where the row's phone is masked: always on the
    ledger screen and in the ledger API, which mask the phone for everyone). The one formatting of the screen's
    list and show and of the API answer (the XLSX reads its batches' values with ``_extra_values``, then the same
    ``form_fields.one_line``)."""
    if case is None or not case.form_values:
        return ""
    guide = case.guide
    return form_fields.one_line(form_fields.definitions_of(guide.content if guide is not None else None),
                                case.form_values, masked=masked)


def _extra_values(session: Session, case_ids: list[int], definitions: dict[int, list[form_fields.FieldDefinition]]
                  ) -> dict[int, tuple[int, dict]]:
    """(guide id, values) of the cases of a batch that have extra values; the definitions of their guide
    versions are added to ``definitions`` (read once per version)."""
    rows = session.execute(select(Case.id, Case.guide_id, Case.form_values).where(Case.id.in_(case_ids))).all()
    found = {case_id: (guide_id, answers) for case_id, guide_id, answers in rows if answers}
    missing = {guide_id for guide_id, _ in found.values()} - set(definitions)
    if missing:
        for guide_id, content in session.execute(select(Guide.id, Guide.content).where(Guide.id.in_(missing))):
            definitions[guide_id] = form_fields.definitions_of(content)
    return found


def footnote(session: Session) -> str:
    names = session.scalars(select(HandlingType.name).order_by(HandlingType.sort_order)).all()
    return "注：通办类型是指：" + "、".join(names) + "等。"


def describe(session: Session, flt: LedgerFilter) -> str:
    """The filter in words, as printed under the PDF's title and listed with a background export."""
    parts = []
    if flt.date_from and flt.date_to:
        parts.append(f"日期：{_cn_date(flt.date_from)}至{_cn_date(flt.date_to)}")
    elif flt.date_from:
        parts.append(f"日期：{_cn_date(flt.date_from)}起")
    elif flt.date_to:
        parts.append(f"日期：截至{_cn_date(flt.date_to)}")
    if flt.center_id:
        parts.append(f"窗口：{_center_name(session, flt.center_id)}")
    if flt.handling_type_name:
        parts.append(f"通办类型：{flt.handling_type_name}")
    if flt.matter_name:
        parts.append(f"事项名称包含：{flt.matter_name}")
    for c in flt.conditions:
        value = c.value
        if c.column == "center_id":
            value = _center_name(session, value)
        elif isinstance(value, date):
            value = _cn_date(value)
        elif isinstance(value, tuple):
            value = "、".join(value)
        parts.append(f"{COLUMN_LABELS.get(c.column, c.column)}{OPERATOR_LABELS.get(c.op, c.op)}：{value}")
    return "；".join(parts) or "全部记录"


def _cn_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _center_name(session: Session, center_id: int) -> str:
    return session.scalar(select(ServiceCenter.name).where(ServiceCenter.id == center_id)) or f"#{center_id}"


# --- XLSX and PDF ----------------------------------------------------------------------------------


def write_ledger_xlsx(session: Session, reach: Reach, flt: LedgerFilter, out: IO[bytes],
                      on_progress=None, full_cases: set[int] | None = None) -> int:
    """Writes the ledger to ``out``; returns the number of rows. ``on_progress(n)`` every batch; the
    cases printed with full phones are added to ``full_cases``."""
    rows = printed_rows(session, reach, _chunks(ledger_rows(session, reach, flt), BATCH), full_cases=full_cases,
                        extra=True)
    return write_table(out, sheet_name="工作登记台账", title=TITLE, header=XLSX_HEADER, widths=XLSX_WIDTHS, rows=rows,
                       note=footnote(session), creator=AUTHOR, on_batch=on_progress, print_setup=PRINT_SETUP)


def write_ledger_xlsx_batched(session: Session, reach: Reach, flt: LedgerFilter, out: IO[bytes],
                              on_progress: Callable[[int], Any] | None = None,
                              full_cases: set[int] | None = None) -> int:
    """As :func:`write_ledger_xlsx`, reading keyset batches so ``on_progress`` may commit."""
    rows = printed_rows(session, reach, ledger_batches(session, reach, flt), on_progress, full_cases, extra=True)
    return write_table(out, sheet_name="工作登记台账", title=TITLE, header=XLSX_HEADER, widths=XLSX_WIDTHS, rows=rows,
                       note=footnote(session), creator=AUTHOR, print_setup=PRINT_SETUP)


def write_ledger_pdf(session: Session, reach: Reach, flt: LedgerFilter, out: IO[bytes],
                     on_progress: Callable[[int], Any] | None = None, full_cases: set[int] | None = None) -> int:
    """The ledger as a PDF (landscape A4, header row on every page, page numbers); returns the rows."""
    from app.documents.ledger_pdf import write_ledger_pdf as render

    note = footnote(session)
    subtitle = describe(session, flt)
    rows = printed_rows(session, reach, ledger_batches(session, reach, flt), full_cases=full_cases)
    result = render(rows, out, title=TITLE, header=HEADER, footnote=note, subtitle=f"范围：{subtitle}",
                    author=AUTHOR, on_rows=on_progress)
    return result.rows


def ledger_xlsx_bytes(session: Session, reach: Reach, flt: LedgerFilter, full_cases: set[int] | None = None) -> bytes:
    buffer = io.BytesIO()
    write_ledger_xlsx(session, reach, flt, buffer, full_cases=full_cases)
    return buffer.getvalue()


def ledger_pdf_bytes(session: Session, reach: Reach, flt: LedgerFilter, full_cases: set[int] | None = None) -> bytes:
    buffer = io.BytesIO()
    write_ledger_pdf(session, reach, flt, buffer, full_cases=full_cases)
    return buffer.getvalue()


def export_file_name(kind: str, flt: LedgerFilter, at: datetime | None = None) -> str:
    """工作登记台账-20260301-20260331.xlsx (the range when there is one, else the time of export)."""
    at = at or datetime.now()
    if flt.date_from or flt.date_to:
        start = flt.date_from.strftime("%Y%m%d") if flt.date_from else "起"
        end = flt.date_to.strftime("%Y%m%d") if flt.date_to else at.strftime("%Y%m%d")
        stem = f"工作登记台账-{start}-{end}"
    else:
        stem = f"工作登记台账-{at:%Y%m%d-%H%M%S}"
    return f"{stem}.{kind}"
