"""The published catalog as the public sees it: handling types, the matters with their current guide (every
element a 办事指南 carries), the sample forms of their materials, and the windows that accept them.

Only published matters appear, each as its CURRENT PUBLISHED guide version says (never the working copy an
administrator is editing); a draft, a retired or an unknown matter is not found. Nothing here names a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.adapters import storage
from app.domain.catalog_sheet import DEFAULT_FEE_NOTE
from app.domain.guide_elements import DEFAULT_VISITS, faq_entries, process_step_list
from app.errors import NotFound
from app.labels import MATERIAL_FORMS, label
from app.models.catalog import Guide, HandlingType, MaterialRequirement, Matter, MatterStatus
from app.models.org import BusinessLine, ServiceCenter

#: where the sample endpoint lives under the app's address (the public API's prefix)
SAMPLE_PATH = "/api/v1/public/matters/{code}/materials/{seq}/sample"
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def public_handling_types(session: Session) -> list[dict[str, Any]]:
    """The active handling types in their order, with the regions each covers (or nationwide)."""
    types = session.scalars(
        select(HandlingType).where(HandlingType.active.is_(True))
        .order_by(HandlingType.sort_order, HandlingType.code).options(selectinload(HandlingType.regions))
    )
    return [{"code": t.code, "name": t.name, "name_en": t.name_en, "description": t.description,
             "nationwide": t.nationwide, "regions": sorted(r.name for r in t.regions)} for t in types]


# --- matters and their guides ------------------------------------------------------------------------


def _active_types(session: Session) -> list[HandlingType]:
    return list(session.scalars(select(HandlingType).where(HandlingType.active.is_(True))
                                .order_by(HandlingType.sort_order, HandlingType.code)))


def _line_names(session: Session) -> dict[str, str]:
    return {line.code: line.name for line in session.scalars(select(BusinessLine))}


def _published(session: Session) -> list[tuple[Matter, Guide]]:
    """The published matters by code, each with its current guide version."""
    matters = session.scalars(
        select(Matter).where(Matter.status == MatterStatus.PUBLISHED, Matter.current_guide_id.is_not(None))
        .order_by(Matter.code)
    )
    return [(m, m.current_guide) for m in matters if m.current_guide is not None]


def _types_of(content: dict[str, Any], types: list[HandlingType]) -> list[dict[str, str]]:
    codes = set(content.get("handling_types") or [])
    return [{"code": t.code, "name": t.name} for t in types if t.code in codes]


def _summary(content: dict[str, Any], lines: dict[str, str], types: list[HandlingType]) -> dict[str, Any]:
    return {
        "code": content["code"], "name": content["name"], "line": content["line"],
        "line_name": lines.get(content["line"], content["line"]), "handling_types": _types_of(content, types),
        "legal_limit_days": content["legal_limit_days"], "promised_limit_days": content["promised_limit_days"],
        "visits": content.get("visits", DEFAULT_VISITS),
    }


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def public_matters(session: Session, q: str = "", handling_type: str = "", line: str = "") -> dict[str, Any]:
    """The published matters by code, found by words of their code or name (``q``), a handling type's code and
    a line's code; each as its current guide says."""
    lines, types = _line_names(session), _active_types(session)
    words = _folded(q or "").split()
    result = []
    for _matter, guide in _published(session):
        content = guide.content
        if line and content["line"] != line:
            continue
        if handling_type and handling_type not in (content.get("handling_types") or []):
            continue
        haystack = _folded(f"{content['code']} {content['name']}")
        if any(word not in haystack for word in words):
            continue
        result.append(_summary(content, lines, types))
    return {"count": len(result), "result": result}


def _guide_of(session: Session, code: str) -> tuple[Matter, Guide]:
    matter = session.scalar(select(Matter).where(Matter.code == code))
    if matter is None or matter.status != MatterStatus.PUBLISHED or matter.current_guide is None:
        raise NotFound()
    return matter, matter.current_guide


def sample_url(code: str, seq: int) -> str:
    """The address of a material's sample form: under APP_URL (the app serves the public API), or relative."""
    return current_app.config["APP_URL"] + SAMPLE_PATH.format(code=code, seq=seq)


def _material(code: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": item["seq"], "name": item["name"], "copies": item["copies"], "form": item["form"],
        "form_label": label(MATERIAL_FORMS, item["form"]), "required": bool(item["required"]),
        "original_check": bool(item.get("original_check", False)), "deferrable": bool(item.get("deferrable", False)),
        "note": item.get("note") or "",
        "sample_url": sample_url(code, item["seq"]) if item.get("sample_file_key") else None,
    }


def public_guide(session: Session, code: str) -> dict[str, Any]:
    """The current published guide of a matter with every element a 办事指南 carries and the windows that accept
    it; NotFound for an unknown, draft or retired matter."""
    _matter, guide = _guide_of(session, code)
    content = guide.content
    lines, types = _line_names(session), _active_types(session)
    summary = _summary(content, lines, types)
    return summary | {
        "version": guide.version,
        "published_on": guide.published_on.date().isoformat(),
        "authority": content.get("authority", ""),
        "legal_basis": content.get("legal_basis", ""),
        "acceptance_conditions": content.get("acceptance_conditions", ""),
        "materials": [_material(content["code"], m) for m in content.get("materials", [])],
        "process_steps": process_step_list(content.get("process_steps")),
        "fee_note": (content.get("fee_note") or "").strip() or DEFAULT_FEE_NOTE,
        "consult_phone": content.get("consult_phone", ""),
        "complaint_phone": content.get("complaint_phone") or current_app.config["COMPLAINT_PHONE"],
        "faq": [{"question": e.question, "answer": e.answer} for e in faq_entries(content.get("faq"))],
        "windows": [_window(center, types) for center in accepting_windows(session)],
    }


@dataclass(frozen=True)
class SampleFile:
    path: Path
    name: str
    #: by the file's first bytes (PDF, JPEG or PNG, as the upload was checked)
    content_type: str


def sample_file(session: Session, code: str, seq: int) -> SampleFile:
    """The sample form (样本样表) of material ``seq`` as the current published guide has it, with the name it was
    stored under; NotFound when the matter is not published or the material has none."""
    matter, guide = _guide_of(session, code)
    item = next((m for m in guide.content.get("materials", []) if m.get("seq") == seq), None)
    if item is None or not item.get("sample_file_key"):
        raise NotFound()
    try:
        path = storage.path_of(item["sample_file_key"])
    except ValueError:
        raise NotFound() from None
    if not path.is_file():
        raise NotFound()
    with path.open("rb") as stored:
        content_type = storage.sniff(stored.read(16)) or "application/octet-stream"
    return SampleFile(path, _stored_name(session, matter, item, content_type), content_type)


def _stored_name(session: Session, matter: Matter, item: dict[str, Any], content_type: str) -> str:
    """The name the sample was uploaded under (kept on the material, not in the frozen guide); when the working
    copy has replaced that file since: the material's name with the file's own type."""
    working = session.scalar(select(MaterialRequirement).where(
        MaterialRequirement.matter_id == matter.id, MaterialRequirement.sample_file_key == item["sample_file_key"]))
    if working is not None and working.sample_file_name:
        return working.sample_file_name
    return f"{item['name'][:100]}（样表）{_EXTENSIONS.get(content_type, '')}"


# --- windows -----------------------------------------------------------------------------------------


def accepting_windows(session: Session) -> list[ServiceCenter]:
    """The windows that accept a published matter: every active center of ours (not a counterpart outside the
    system) with a cross-region window (跨域通办综合窗口), by code. In this mechanism every cross-region window
    accepts every published matter of the catalog (收件 anywhere, 办理 at home), so a guide lists them all."""
    return list(session.scalars(
        select(ServiceCenter).where(ServiceCenter.active.is_(True), ServiceCenter.external.is_(False),
                                    ServiceCenter.has_window.is_(True)).order_by(ServiceCenter.code)
    ))


def _window(center: ServiceCenter, types: list[HandlingType]) -> dict[str, Any]:
    return {
        "code": center.code, "name": center.name, "kind": center.kind, "region": center.region.full_name,
        "address": center.address, "postcode": center.postcode, "hours": center.hours, "phone": center.phone,
        "hotline": center.hotline,
        "handling_types": [{"code": t.code, "name": t.name} for t in types if t.covers(center.region)],
    }


def public_windows(session: Session) -> list[dict[str, Any]]:
    """The window directory: each accepting window with its address, hours, phones and the handling types
    offered there (those that cover its region)."""
    types = _active_types(session)
    return [_window(center, types) for center in accepting_windows(session)]
