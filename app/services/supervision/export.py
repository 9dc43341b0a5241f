"""The supervision orders as XLSX (督办台账): the orders of the list as filtered, in the user's scope."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Iterator

from sqlalchemy.orm import Session

from app.domain.xlsx_stream import PrintSetup, write_table
from app.models.supervision import SupervisionOrder
from app.scope import Reach
from app.services.supervision.queries import OrderFilter, scoped_orders

AUTHOR = "广元市政务服务和公共资源交易中心"
TITLE = "广元市政务服务“跨域通办”督办台账"
HEADER = ("督办单编号", "办件编号", "事项名称", "督办人", "督办单位", "督办时间", "督办要求", "反馈责任方", "反馈期限",
          "状态", "反馈内容", "反馈人", "反馈时间", "逾期反馈")
WIDTHS = (18, 20, 30, 10, 24, 17, 40, 24, 12, 10, 40, 10, 17, 8)
SIDES = {"origin_window": "受理窗口", "home_window": "属地窗口", "department": "办理部门"}
STATUSES = {"open": "待反馈", "answered": "已反馈", "withdrawn": "已撤回"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _minute(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _status(order: SupervisionOrder) -> str:
    if order.is_open and order.warning_level == "red":
        return "逾期未反馈"
    return STATUSES.get(order.status, order.status)


def _row(order: SupervisionOrder) -> tuple:
    case = order.case
    return (order.number, case.number or "", case.matter.name, order.issued_by_name, order.issued_by_place,
            _minute(order.issued_on), order.instruction, f"{SIDES.get(order.responsible_side, '')}：{order.responsible_unit}",
            order.reply_due, _status(order), order.reply, order.replied_by_name, _minute(order.replied_on),
            "是" if order.answered_late else "")


def rows(session: Session, reach: Reach, flt: OrderFilter | None = None) -> Iterator[tuple]:
    for order in session.scalars(scoped_orders(reach, flt)):
        yield _row(order)


def export_xlsx(session: Session, reach: Reach, flt: OrderFilter | None = None) -> bytes:
    buffer = io.BytesIO()
    write_table(buffer, sheet_name="督办台账", title=TITLE, header=HEADER, widths=WIDTHS, rows=rows(session, reach, flt),
                creator=AUTHOR, note="反馈期限按工作日计算；逾期反馈：反馈晚于反馈期限。",
                print_setup=PrintSetup(landscape=True, fit_width=True, title_rows=2))
    return buffer.getvalue()


def file_name(at: datetime | None = None) -> str:
    return f"督办台账-{(at or datetime.now()):%Y%m%d%H%M}.xlsx"
