"""Examples for the OpenAPI document, in one place: every operation's request body and every JSON success
answer gets a media-type ``example``, made from its schema with demo-like values (a 广元 window, the demo
applicant 李晓梅), unless the declaration gives one of its own. Made valid against the schema: enums take their
first value, bounds and lengths are kept, dates are dates; a property's own ``example`` (FAB's) is taken as is.

Pure: ``with_examples(document)`` adds them to an OpenAPI 3 document (a dict) and returns it.
"""

from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]

#: demo-like values by property name (the applicant of the demo data; a 广元 window; a case number)
BY_NAME: dict[str, Any] = {
    "applicant_name": "李晓梅",
    "applicant_id_type": "resident_id",
    "applicant_id_number": "11010519491231002X",
    "applicant_phone": "13908121234",
    "applicant_email": "lixiaomei1988@example.com",
    "applicant_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号",
    "applicant_postcode": "628017",
    "mail_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号",
    "mail_postcode": "628017",
    "mail_recipient": "李晓梅",
    "mail_phone": "13908121234",
    "postcode": "628017",
    "address": "四川省广元市利州区东坝街道利州东路二段八号",
    "phone": "0839-3266000",
    "hotline": "12345",
    "hours": "周一至周五 9:00-12:00 14:00-17:30",
    "email": "lixiaomei1988@example.com",
    "username": "lz_window",
    "password": "complex-password",
    "provider": "db",
    "code": "GYLZ",
    "name": "广元市利州区政务服务中心",
    "short_name": "利州区人社局",
    "number": "GY-LZ-2026-000123",
    "case_number": "GY-LZ-2026-000123",
    "counterpart_number": "JJ-2026-0042",
    "department_name": "重庆市渝中区人力资源和社会保障局",
    "line": "hrss",
    "kind": "center",
    "level": "county",
    "reason": "核对申请人提交的身份证明",
    "note": "请尽快办理",
    "instruction": "请于三个工作日内反馈办理进度",
    "reply": "已联系申请人补正材料，预计明日办结",
    "text": "材料已收到，请核对",
    "body": "材料已收到，请核对",
    "remarks": "",
    "description": "",
    "message": "",
    "fmt": "pdf",
    "format": "pdf",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "msg": "",
}
#: values by format
BY_FORMAT = {"date": "2026-12-03", "date-time": "2026-12-03T09:30:00+08:00", "email": "lixiaomei1988@example.com",
             "binary": "(file)", "byte": "UEsDBA==", "uri": "https://example.com/", "uuid":
             "2f1c4b6e-9a7d-4e3b-8c1a-5d6e7f809a1b"}
MAX_DEPTH = 8
#: what ``name`` and ``code`` are within a record of a kind (the property or resource that holds it)
IN_CONTEXT: dict[str, dict[str, Any]] = {
    "region": {"name": "利州区", "code": "510802", "level": "county"},
    "center": {"name": "广元市利州区政务服务中心", "code": "GYLZ"},
    "department": {"name": "苍溪县人力资源和社会保障局", "short_name": "苍溪县人社局"},
    "matter": {"name": "城乡居民基本养老保险关系转移接续", "code": "KYTB-HRSS-001"},
    "handling_type": {"name": "跨省通办", "code": "kuasheng"},
    "material": {"name": "居民身份证"},
    "business_line": {"name": "人力资源和社会保障", "code": "hrss"},
    "stand_in": {},
    "report": {"name": "2026年11月办件统计"},
    "user": {"name": "王芳"},
}
#: property, resource or component names → the kind of record they hold
KIND_OF = {
    "county": "region", "regions": "region", "parent": "region", "origin_center": "center", "home_center": "center",
    "origin_centers": "center", "home_centers": "center", "centers": "center", "servicecenter": "center",
    "casecenter": "center", "departments": "department", "casedepartment": "department", "matters": "matter",
    "casematter": "matter", "handling_types": "handling_type", "handlingtype": "handling_type",
    "materials": "material", "casematerial": "material", "materialrequirement": "material", "line": "business_line",
    "businessline": "business_line",
}
#: untyped properties that name a related record (FAB leaves the type of a related field open): its id
RELATED = {"region", "parent", "center", "business_line", "handling_types", "regions", "id", "matter", "department"}


def _resolve(schema: Json, document: Json) -> Json:
    seen = 0
    while "$ref" in schema and seen < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
        seen += 1
    return schema


def kind_of(name: str) -> str:
    """The kind of record a property, resource or component (``CenterApi.get.Region``) holds."""
    key = name.rsplit(".", 1)[-1].lower()
    key = KIND_OF.get(key, key)
    if key.endswith("api"):
        key = key[:-3]
    return key if key in IN_CONTEXT else ""


def _string(schema: Json, name: str, context: str = "") -> str:
    if schema.get("format") in BY_FORMAT:
        value = BY_FORMAT[schema["format"]]
    elif isinstance(IN_CONTEXT.get(context, {}).get(name), str):
        value = IN_CONTEXT[context][name]
    elif name.endswith(("_by_name", "_by")):
        value = "王芳"
    elif name.endswith(("file_name", "scan_name", "sample_file_name")):
        value = "居民身份证.pdf"
    elif isinstance(BY_NAME.get(name), str):
        value = BY_NAME[name]
    elif name.endswith("_on") or name.endswith("_date"):
        value = BY_FORMAT["date"]
    elif name.endswith("_at"):
        value = BY_FORMAT["date-time"]
    elif name.endswith("_name"):
        value = IN_CONTEXT.get(kind_of(name.removesuffix("_name")), {}).get("name", "李晓梅")
    else:
        value = "示例"
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    if maximum is not None and len(value) > maximum:
        value = value[:maximum]
    return value


def _number(schema: Json, name: str) -> int | float:
    value: int | float = BY_NAME[name] if isinstance(BY_NAME.get(name), (int, float)) \
        and not isinstance(BY_NAME.get(name), bool) else 1
    if "minimum" in schema:
        value = max(value, schema["minimum"] + (1 if schema.get("exclusiveMinimum") is True else 0))
    if "maximum" in schema:
        value = min(value, schema["maximum"] - (1 if schema.get("exclusiveMaximum") is True else 0))
    return float(value) if schema.get("type") == "number" else int(value)


def example_of(schema: Json, document: Json, name: str = "", depth: int = 0, context: str = "") -> Any:
    """A value valid against ``schema`` (an OpenAPI 3.0 schema of ``document``); ``context`` is the kind of
    record it belongs to (its ``name`` is a window's name, a matter's, ...)."""
    if "$ref" in schema:
        context = kind_of(schema["$ref"].rsplit("/", 1)[-1]) or context
    schema = _resolve(schema, document)
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if "enum" in schema and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    if "default" in schema and schema["default"] is not None:
        return copy.deepcopy(schema["default"])
    for combined in ("oneOf", "anyOf"):
        if schema.get(combined):
            return example_of(schema[combined][0], document, name, depth, context)
    if schema.get("allOf"):
        merged: Json = {}
        for part in schema["allOf"]:
            value = example_of(part, document, name, depth, context)
            if isinstance(value, dict):
                merged.update(value)
            else:
                return value
        return merged
    kind = schema.get("type")
    if kind is None and "properties" in schema:
        kind = "object"
    if depth >= MAX_DEPTH:
        return None if schema.get("nullable") else ({} if kind == "object" else [] if kind == "array" else
                                                     _scalar(schema, kind, name, context))
    if kind == "object":
        properties = schema.get("properties", {})
        value = {key: example_of(sub, document, key, depth + 1, kind_of(key) or context)
                 for key, sub in properties.items()}
        if not properties and isinstance(schema.get("additionalProperties"), dict):
            value = {"key": example_of(schema["additionalProperties"], document, "key", depth + 1)}
        return value
    if kind == "array":
        item = example_of(schema.get("items", {}), document, name, depth + 1, context)
        count = max(1, schema.get("minItems", 1))
        if schema.get("maxItems") is not None:
            count = min(count, schema["maxItems"])
        return [copy.deepcopy(item) for _ in range(count)]
    return _scalar(schema, kind, name, context)


def _scalar(schema: Json, kind: str | None, name: str, context: str = "") -> Any:
    if kind == "string":
        return _string(schema, name, context)
    if kind in ("integer", "number"):
        return _number(schema, name)
    if kind == "boolean":
        return True
    if kind is None:
        if schema.get("format"):
            return _string(schema, name, context)
        return 1 if name in RELATED or name.endswith("_id") else "示例"
    return None


def _media_types(operation: Json) -> list[tuple[Json, str]]:
    """The request body's media types and the JSON media types of the 2xx answers."""
    found = [(media, name) for name, media in ((operation.get("requestBody") or {}).get("content") or {}).items()]
    for code, answer in (operation.get("responses") or {}).items():
        if str(code).startswith("2") and isinstance(answer, dict):
            found += [(media, name) for name, media in (answer.get("content") or {}).items()
                      if name.endswith("json")]
    return found


def with_examples(document: Json) -> Json:
    """Adds an ``example`` to each media type of a request body and of a JSON success answer that has none."""
    for path, item in (document.get("paths") or {}).items():
        resource = kind_of(path.removeprefix("/api/v1/").split("/", 1)[0])
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or not isinstance(operation, dict):
                continue
            for media, _name in _media_types(operation):
                if "example" in media or "examples" in media:
                    continue
                media["example"] = example_of(media.get("schema") or {"type": "object"}, document, context=resource)
    return document
