"""Headless for real (issue 15): what every page endpoint is in the REST API.

Every endpoint a page serves (the FAB views of ``app/views/`` and the app's own page routes) is either

* mapped (``ROUTE_MAP``) to the API operations that do the same — as ``"METHOD /api/v1/path"``, spelled as in the
  OpenAPI document /api/v1/_openapi;
* exempt (``EXEMPT``), with the reason it needs no operation of its own (FAB's generic file download on models
  without a file column, the start page).

There is no third way: a new page endpoint without its API operation fails ``tests/api/test_route_map.py``, which
walks the app's url_map and holds this map to it. Pure data; the one helper names the endpoints a page serves.

Bulk list actions (FAB's ``action_post``, ``action/<name>/<pk>``) count as actions: ``muldelete`` is the API's
``DELETE`` of each record. A route FAB registers but no role may use (its permission is not among the view's
``base_permissions``, e.g. ``add`` on a read-only list) is no endpoint the page offers, and is not listed.
"""

from __future__ import annotations

from typing import Any

#: FAB's ``/download/<filename>`` serves files of a FileColumn from the upload folder; none of our models has one
#: (uploads go through the file store and their own routes)
NO_FILE_COLUMN = "FAB's generic upload-folder download; the model has no file column (files have their own routes)"
#: the add/edit pages are forms whose submit is the API's POST/PUT; their GET only renders the form
FORM = "renders the form whose submit is {}"


def _crud(resource: str) -> dict[str, list[str]]:
    """The FAB list page of a resource with an AppModelRestApi of the same name."""
    base = f"/api/v1/{resource}/"
    return {
        "list": [f"GET {base}"],
        "show": [f"GET {base}{{pk}}"],
        "add": [f"POST {base}", f"GET {base}_info"],
        "edit": [f"PUT {base}{{pk}}", f"GET {base}_info"],
        "delete": [f"DELETE {base}{{pk}}"],
        "action_post": [f"DELETE {base}{{pk}}"],  # muldelete: one DELETE per record
        "action": [f"DELETE {base}{{pk}}"],
    }


def _read_only(resource: str) -> dict[str, list[str]]:
    return {name: ops for name, ops in _crud(resource).items() if name in ("list", "show")}


def _page(view: str, operations: dict[str, list[str]]) -> dict[str, list[str]]:
    return {f"{view}.{name}": ops for name, ops in operations.items()}


# --- the map, per page ---------------------------------------------------------------------------------------

ROUTE_MAP: dict[str, list[str]] = {
    # 办件: the case list and the case page
    **_page("CaseView", {
        "list": ["GET /api/v1/case/"],
        "show": ["GET /api/v1/case/{pk}"],
    }),
    **_page("CaseWorkView", {
        "queue": ["GET /api/v1/work_queue/"],
        "detail": ["GET /api/v1/case/{pk}", "GET /api/v1/case/{pk}/events", "GET /api/v1/case/{pk}/materials",
                   "GET /api/v1/case/{pk}/clock", "GET /api/v1/case/{pk}/messages"],
        "step": ["POST /api/v1/case/{pk}/{name}"],
        "materials": ["PUT /api/v1/case/{pk}"],
        "disclosure": ["POST /api/v1/case/{pk}/disclosure"],
        "upload_scan": ["POST /api/v1/case/{pk}/materials/{material_id}/scan"],
        "scan": ["GET /api/v1/case/{pk}/materials/{material_id}/scan"],
        "scan_version": ["GET /api/v1/case/{pk}/scan_versions/{version_id}"],
        "message_file": ["GET /api/v1/case/{pk}/messages/{message_id}/file"],
        "supply_deferred": ["POST /api/v1/case/{pk}/materials/{material_id}/supplied"],
        "upload_result": ["POST /api/v1/case/{pk}/results"],
        "result_document": ["GET /api/v1/case/{pk}/results/{document_id}"],
        "post_message": ["POST /api/v1/case/{pk}/messages"],
        "notice": ["GET /api/v1/case/{pk}/notice/{kind}"],
        "archive_package": ["GET /api/v1/case/{pk}/archive"],
        "verify_archive": ["GET /api/v1/case/{pk}/archive/verify"],
    }),
    # 办件登记
    **_page("CaseRegisterView", {
        "register": ["POST /api/v1/case/", "GET /api/v1/registration_directory/"],
        "options": ["GET /api/v1/registration_directory/"],
    }),
    # the public progress link (a QR code on the receipt)
    "progress_link": ["GET /api/v1/public/progress/{token}"],
    # 组织: regions, windows, departments
    **_page("RegionView", _crud("region")),
    **_page("CenterView", _crud("center")),
    **_page("DepartmentView", _crud("department")),
    # 事项目录: handling types, matters
    **_page("HandlingTypeView", _crud("handling_type")),
    **_page("MatterView", {**_crud("matter"), **{
        name: ["DELETE /api/v1/matter/{pk}", "POST /api/v1/matter/{pk}/publish", "POST /api/v1/matter/{pk}/retire"]
        for name in ("action", "action_post")}}),  # muldelete, publish, retire
    **_page("BusinessLineView", _crud("business_line")),
    # 事项目录: required materials, published guides (read-only), matter review
    # 审核: the review points of the city department's line
    **_page("MatterReviewView", {name: ops for name, ops in _crud("matter_review").items()
                                 if name in ("list", "show", "edit")}),
    # 补充信息: a matter's extra form fields
    **_page("MatterFieldView", _crud("matter_field")),
    **_page("MaterialRequirementView", {
        **_crud("material_requirement"),
        # the form's sample upload is an operation of its own after the POST/PUT of the other fields
        "add": [*_crud("material_requirement")["add"], "POST /api/v1/material_requirement/{pk}/sample"],
        "edit": [*_crud("material_requirement")["edit"], "POST /api/v1/material_requirement/{pk}/sample"],
        "sample": ["GET /api/v1/material_requirement/{pk}/sample"]}),
    **_page("GuideView", _read_only("guide")),
    # 工作日历: exception days, years (read-only)
    **_page("WorkCalendarDayView", _crud("work_calendar_day")),
    **_page("WorkCalendarYearView", _read_only("work_calendar_year")),
    # 用户管理: staff accounts, their passwords, failed sign-ins and one's own account
    **_page("StaffUserView", {
        **_crud("staff"),
        "action": ["POST /api/v1/staff/{pk}/unlock", "DELETE /api/v1/staff/{pk}"],
        "action_post": ["POST /api/v1/staff/{pk}/unlock", "DELETE /api/v1/staff/{pk}"],
        "userinfo": ["GET /api/v1/staff/me"],
    }),
    **_page("ScopedResetPasswordView", {
        "this_form_get": ["POST /api/v1/staff/{pk}/password"],
        "this_form_post": ["POST /api/v1/staff/{pk}/password"],
    }),
    # the catalog and the work calendar as files
    **_page("CatalogTransferView", {
        "index": ["GET /api/v1/catalog/template", "GET /api/v1/catalog/export", "POST /api/v1/catalog/import"],
        "export": ["GET /api/v1/catalog/export"],
        "template": ["GET /api/v1/catalog/template"],
        "upload": ["POST /api/v1/catalog/import"],
    }),
    **_page("CalendarTransferView", {
        "export": ["GET /api/v1/work_calendar/{year}/export"],
        "upload": ["POST /api/v1/work_calendar/import"],
    }),
    # 宣传推广: the portal's articles
    **_page("ArticleView", _crud("article")),
    # 消息模板: read, and their texts edited
    **_page("MessageTemplateView", {**_read_only("message_template"),
                                    "edit": ["PUT /api/v1/message_template/{pk}",
                                             "GET /api/v1/message_template/_info"]}),
    # 推送订阅方, 推送投递记录 (webhooks): delete, 生成新密钥, 重新投递
    **_page("WebhookSubscriberView", {**_crud("webhook_subscriber"), **{
        name: ["DELETE /api/v1/webhook_subscriber/{pk}", "POST /api/v1/webhook_subscriber/{pk}/new_secret"]
        for name in ("action", "action_post")}}),
    **_page("WebhookDeliveryView", {**_read_only("webhook_delivery"), **{
        name: ["POST /api/v1/webhook_delivery/redeliver", "POST /api/v1/webhook_delivery/{pk}/redeliver"]
        for name in ("action", "action_post")}}),
    # 代办 (stand-ins)
    **_page("StandInView", {
        "list": ["GET /api/v1/stand_in/"],
        "add": ["POST /api/v1/stand_in/"],
        "end": ["DELETE /api/v1/stand_in/{stand_in_id}"],
    }),
    # 督办
    **_page("SupervisionView", {
        "export_xlsx": ["GET /api/v1/supervision_order/export"],
        "list": ["GET /api/v1/supervision_order/"],
        "issue": ["POST /api/v1/supervision_order/"],
        "reply": ["POST /api/v1/supervision_order/{order_id}/reply"],
        "nudge": ["POST /api/v1/supervision_order/nudge"],
    }),
    # 报表
    **_page("ReportView", {
        "list": ["GET /api/v1/report/"],
        "show": ["GET /api/v1/report/{report_id}"],
        "file": ["GET /api/v1/report/{report_id}/file/{fmt}"],
        "request_report": ["POST /api/v1/report/"],
        "requests_status": ["GET /api/v1/report/request/{request_id}"],
        "retry_request": ["POST /api/v1/report/request/{request_id}/retry"],
        "generate": ["POST /api/v1/report/generate/{kind}"],
    }),
    # 工作台账
    **_page("LedgerView", {
        "list": ["GET /api/v1/ledger/"],
        "show": ["GET /api/v1/ledger/{entry_id}"],
        "edit": ["GET /api/v1/ledger/{entry_id}", "PUT /api/v1/ledger/{entry_id}"],
        "export": ["POST /api/v1/ledger/export"],
    }),
    # 我的导出
    **_page("ExportJobView", {
        "list": ["GET /api/v1/export/"],
        "status": ["GET /api/v1/export/", "GET /api/v1/export/{job_id}"],
        "download": ["GET /api/v1/export/{job_id}/file"],
        "retry": ["POST /api/v1/export/{job_id}/retry"],
    }),
    # 我的提醒
    **_page("ReminderView", {
        "list": ["GET /api/v1/reminder/", "GET /api/v1/reminder/{reminder_id}", "GET /api/v1/reminder/messages",
                 "GET /api/v1/reminder/preferences"],
        "mark_read": ["POST /api/v1/reminder/{reminder_id}/read", "POST /api/v1/reminder/read"],
        "mark_messages_read": ["POST /api/v1/reminder/messages/read"],
        "preferences": ["PUT /api/v1/reminder/preferences"],
    }),
    # 邮寄跟踪, 当日寄件, 交接清单
    **_page("ShipmentView", {"list": ["GET /api/v1/shipment/"], "show": ["GET /api/v1/shipment/{shipment_id}"]}),
    "ParcelBatchView.parcels": ["GET /api/v1/parcel_batch/", "POST /api/v1/parcel_batch/send",
                                "POST /api/v1/parcel_batch/book"],
    **_page("TransmittalView", {
        "lists": ["GET /api/v1/transmittal/"],
        "pdf": ["GET /api/v1/transmittal/{transmittal_id}/pdf"],
        "receive": ["GET /api/v1/transmittal/{transmittal_id}", "POST /api/v1/transmittal/{transmittal_id}/receive"],
        "incoming": ["GET /api/v1/transmittal/incoming", "POST /api/v1/transmittal/incoming"],
    }),
    # 好差评 and 整改
    **_page("RatingView", {
        "list": ["GET /api/v1/rating/"],
        "show": ["GET /api/v1/rating/{rating_id}"],
        "export_xlsx": ["GET /api/v1/rating/export"],
    }),
    **_page("RectificationView", {
        "list": ["GET /api/v1/rectification/"],
        "show": ["GET /api/v1/rectification/{rectification_id}"],
        "export_xlsx": ["GET /api/v1/rectification/export"],
        **{name: [f"POST /api/v1/rectification/{{rectification_id}}/{name}"] for name in
           ("callback", "measures", "close", "appeal", "decide")},
    }),
    # 对账, 个人信息访问记录, 审计导出, 督导看板
    "ReconciliationView.list": ["GET /api/v1/reconciliation/"],
    **_page("AccessLogView", {"list": ["GET /api/v1/access_log/"], "show": ["GET /api/v1/access_log/{log_entry_id}"]}),
    "CaseAuditView.case_export": ["GET /api/v1/audit/case/{case_id}"],
    "AuditView.period": ["POST /api/v1/audit/period"],
    "AuditView.form": ["POST /api/v1/audit/period"],  # the form's choices are that body's, as documented
    "DashboardView.index": ["GET /api/v1/dashboard/"],
    # 已发送消息, 发送失败的消息
    **_page("NotificationView", {"list": ["GET /api/v1/notification/"],
                                 "show": ["GET /api/v1/notification/{notification_id}"]}),
    **_page("ParkedMessageView", {
        "list": ["GET /api/v1/parked_message/"],
        "show": ["GET /api/v1/parked_message/{notification_id}"],
        "action": ["POST /api/v1/parked_message/resend"],
        "action_post": ["POST /api/v1/parked_message/resend"],
    }),
}

EXEMPT: dict[str, str] = {
    "HomeView.index": "HTML-only landing page (links to the other pages; GET /api/v1/menu/ is the menu)",
    "CaseView.download": NO_FILE_COLUMN,
    "RegionView.download": NO_FILE_COLUMN,
    "CenterView.download": NO_FILE_COLUMN,
    "DepartmentView.download": NO_FILE_COLUMN,
    "HandlingTypeView.download": NO_FILE_COLUMN,
    "MatterView.download": NO_FILE_COLUMN,
    "BusinessLineView.download": NO_FILE_COLUMN,
    "MaterialRequirementView.download": NO_FILE_COLUMN,
    "GuideView.download": NO_FILE_COLUMN,
    "ArticleView.download": NO_FILE_COLUMN,
    "WorkCalendarDayView.download": NO_FILE_COLUMN,
    "WorkCalendarYearView.download": NO_FILE_COLUMN,
    "StaffUserView.download": NO_FILE_COLUMN,
    "MatterFieldView.download": NO_FILE_COLUMN,
    "WebhookSubscriberView.download": NO_FILE_COLUMN,
}

#: endpoints that are not pages of the product: FAB's own security and locale views, static files, the public
#: portal (served by the public API), health, and the API itself
SKIPPED_PREFIXES = ("portal.",)


def page_endpoints(app: Any) -> dict[str, str]:
    """endpoint → rule of every endpoint a page serves: the methods of the FAB views of ``app.views`` that some
    role may use, and the app's own page routes of ``app.web``."""
    from flask_appbuilder.baseviews import BaseView

    found: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint.startswith(SKIPPED_PREFIXES):
            continue
        view = app.view_functions[endpoint]
        owner = getattr(view, "__self__", None)
        if isinstance(owner, BaseView):
            if not type(owner).__module__.startswith("app.views."):
                continue
            name = view.__name__
            permission = (owner.method_permission_name or {}).get(name, name)
            if owner.base_permissions and f"can_{permission}" not in owner.base_permissions:
                continue  # a route FAB registers that no role may use
        elif not getattr(view, "__module__", "").startswith(("app.views.", "app.web")):
            continue
        found[endpoint] = rule.rule
    return found
