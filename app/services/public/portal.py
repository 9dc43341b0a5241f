"""The applicant's portal (issue 13): a static site of plain HTML, one CSS file and a little JavaScript, built
from the published catalog and the articles (宣传推广), served by any static host (and by this app at /portal/).

- ``build_portal(session, out_dir)`` renders every page into ``out_dir`` (a fresh folder swapped in whole, so
  a reader never sees half a site); ``publish_portal(session)`` builds into ``PORTAL_DIR``.
- The ``publish_portal`` job (outbox topic, queued when a guide is published or retired and when an article
  is saved or deleted) rebuilds it; ``flask portal build`` does it by hand.
- ``save_article`` / ``delete_article``: the admin's edits of 宣传推广, each with its rebuild queued in the
  same transaction.

Build-time data come from the public catalog's service functions (``app.services.public.catalog``); what
changes by the minute (progress, ratings) the pages fetch from the public API at ``PORTAL_API_BASE``.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, ProblemCollector
from app.labels import DELIVERY_LABELS, SHIPMENT_DIRECTIONS
from app.models.base import now
from app.models.case import OutboxMessage
from app.models.portal import Article, ArticleCategory
from app.platform import outbox, records
from app.platform.records import rule_for
from app.scope import Reach
from app.services.public import catalog as public_catalog

log = logging.getLogger(__name__)

#: the portal's templates, CSS and JavaScript (rendered at build time, never by Flask-AppBuilder's layout)
TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "portal"
ASSETS = ("portal.css", "portal.js")
#: the public API under the API's origin (PORTAL_API_BASE; empty: the site's own origin)
API_PATH = "/api/v1/public"
SAMPLE_PATH = API_PATH + "/matters/{code}/materials/{seq}/sample"
#: the language the portal is written in (its applicants read Chinese)
PORTAL_LOCALE = "zh"

ARTICLE_CATEGORIES = {ArticleCategory.NEWS.value: _l("News"), ArticleCategory.POLICY.value: _l("Policy")}
TITLE_MAX, SUMMARY_MAX = 200, 500


# --- the catalog as the portal needs it --------------------------------------------------------------
# Until the GUIDE slice's functions are on this branch, a thin adapter reads the published guides itself.


def _catalog_function(name: str) -> Any:
    return getattr(public_catalog, name, None)


def portal_matters(session: Session) -> list[dict[str, Any]]:
    fn = _catalog_function("public_matters")
    answer = fn(session) if fn else _fallback_matters(session)
    return answer["result"] if isinstance(answer, dict) else list(answer)


def portal_guide(session: Session, code: str) -> dict[str, Any] | None:
    fn = _catalog_function("public_guide")
    try:
        answer = fn(session, code) if fn else _fallback_guide(session, code)
    except NotFound:
        return None
    return answer.get("result", answer) if isinstance(answer, dict) else answer


def portal_windows(session: Session) -> list[dict[str, Any]]:
    fn = _catalog_function("public_windows")
    answer = fn(session) if fn else _fallback_windows(session)
    return answer["result"] if isinstance(answer, dict) else list(answer)


def _fallback_published(session: Session) -> list[Any]:
    from app.models.catalog import Matter, MatterStatus

    return [m for m in session.scalars(select(Matter).where(Matter.status == MatterStatus.PUBLISHED)
                                       .order_by(Matter.code)) if m.current_guide is not None]


def _fallback_matters(session: Session) -> list[dict[str, Any]]:
    types = {t["code"]: t["name"] for t in public_catalog.public_handling_types(session)}
    result = []
    for matter in _fallback_published(session):
        content = matter.current_guide.content
        result.append({"code": content["code"], "name": content["name"], "line": content["line"],
                       "line_name": matter.business_line.name if matter.business_line else content["line"],
                       "handling_types": [{"code": c, "name": types[c]} for c in content["handling_types"] if c in types],
                       "legal_limit_days": content["legal_limit_days"],
                       "promised_limit_days": content["promised_limit_days"], "visits": content.get("visits", 1)})
    return result


def _fallback_guide(session: Session, code: str) -> dict[str, Any]:
    from app.labels import MATERIAL_FORMS, label

    summary = next((m for m in _fallback_matters(session) if m["code"] == code), None)
    if summary is None:
        raise NotFound()
    matter = next(m for m in _fallback_published(session) if m.code == code)
    guide, content = matter.current_guide, matter.current_guide.content
    return summary | {
        "version": guide.version, "published_on": guide.published_on.date().isoformat(),
        "authority": content.get("authority", ""), "legal_basis": content.get("legal_basis", ""),
        "acceptance_conditions": content.get("acceptance_conditions", ""),
        "materials": [{"seq": m["seq"], "name": m["name"], "copies": m["copies"], "form": m["form"],
                       "form_label": label(MATERIAL_FORMS, m["form"]), "required": bool(m["required"]),
                       "original_check": bool(m.get("original_check")), "deferrable": bool(m.get("deferrable")),
                       "note": m.get("note") or "",
                       "sample_url": SAMPLE_PATH.format(code=code, seq=m["seq"]) if m.get("sample_file_key") else None}
                      for m in content.get("materials", [])],
        "process_steps": [s for s in (content.get("process_steps") or "").splitlines() if s.strip()],
        "fee_note": (content.get("fee_note") or "").strip() or "不收费",
        "consult_phone": content.get("consult_phone", ""),
        "complaint_phone": content.get("complaint_phone") or current_app.config["COMPLAINT_PHONE"],
        "faq": [], "windows": _fallback_windows(session),
    }


def _fallback_windows(session: Session) -> list[dict[str, Any]]:
    from app.models.org import ServiceCenter

    centers = session.scalars(select(ServiceCenter).where(
        ServiceCenter.active.is_(True), ServiceCenter.external.is_(False), ServiceCenter.has_window.is_(True))
        .order_by(ServiceCenter.code))
    return [{"code": c.code, "name": c.name, "kind": c.kind, "region": c.region.full_name, "address": c.address,
             "postcode": c.postcode, "hours": c.hours, "phone": c.phone, "hotline": c.hotline, "handling_types": []}
            for c in centers]


# --- the build ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalBuild:
    directory: Path
    pages: int
    guides: int
    articles: int


def published_articles(session: Session) -> list[Article]:
    return list(session.scalars(select(Article).where(Article.published.is_(True))
                                .order_by(Article.published_on.desc(), Article.id.desc())))


def _paragraphs(text: str) -> list[str]:
    """Plain text to paragraphs: a blank line (or a line break) starts a new one."""
    return [" ".join(block.split()) for block in (text or "").replace("\r", "").split("\n") if block.strip()]


def _environment(api_base: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["paragraphs"] = _paragraphs
    env.globals.update(api=api_base + API_PATH, categories=ARTICLE_CATEGORIES,
                       sample_href=lambda code, seq: api_base + SAMPLE_PATH.format(code=code, seq=seq))
    return env


def _search_index(matters: list[dict[str, Any]]) -> str:
    """The matters as the home page's search reads them (embedded JSON, safe inside a <script> element)."""
    index = [{"code": m["code"], "name": m["name"], "line": m.get("line_name") or "",
              "types": [t["code"] for t in m.get("handling_types", [])]} for m in matters]
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_portal(session: Session, out_dir: Path | str, *, api_base: str | None = None) -> PortalBuild:
    """Renders the whole portal into ``out_dir``: built beside it and swapped in, so the old site stays whole
    until the new one is complete. ``api_base``: the public API's origin (default: PORTAL_API_BASE)."""
    out_dir = Path(out_dir).resolve()
    api_base = (current_app.config.get("PORTAL_API_BASE", "") if api_base is None else api_base).rstrip("/")
    handling_types = public_catalog.public_handling_types(session)
    matters = portal_matters(session)
    guides = [g for g in (portal_guide(session, m["code"]) for m in matters) if g is not None]
    windows = portal_windows(session)
    articles = published_articles(session)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        with force_locale(PORTAL_LOCALE):
            env = _environment(api_base)
            # how the progress answer's codes read (the page's script shows these words, never a code)
            env.globals["code_labels"] = {"delivery": {k: str(v) for k, v in DELIVERY_LABELS.items()},
                                          "direction": {k: str(v) for k, v in SHIPMENT_DIRECTIONS.items()}}
            built = now()

            def write(name: str, template: str, root: str = "", **context: Any) -> None:
                path = work / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(env.get_template(template).render(root=root, built=built, **context),
                                encoding="utf-8")

            write("index.html", "index.html", handling_types=handling_types, matters=matters,
                  search_index=_search_index(matters), articles=articles[:3], page="index")
            for guide in guides:
                write(f"guides/{guide['code']}.html", "guide.html", root="../", guide=guide, page="guide")
            write("windows.html", "windows.html", windows=windows, handling_types=handling_types, page="windows")
            write("progress.html", "progress.html", page="progress")
            write("rate.html", "rate.html", page="rate")
            write("news.html", "news.html", articles=articles, page="news")
            for article in articles:
                write(f"news/{article.id}.html", "article.html", root="../", article=article, page="news")
        for asset in ASSETS:
            shutil.copyfile(TEMPLATES / asset, work / asset)
        _swap(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pages = 6 + len(guides) + len(articles)
    log.info("portal built in %s: %d pages (%d guides, %d articles)", out_dir, pages, len(guides), len(articles))
    return PortalBuild(out_dir, pages, len(guides), len(articles))


_swap_lock = threading.Lock()


def _swap(new: Path, target: Path) -> None:
    """Puts the new site in place of the old one (two renames), then removes the old one."""
    new.chmod(0o755)  # mkdtemp made it private; a static host reads it as another user
    with _swap_lock:
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{new.name}")
            target.rename(old)
        new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def portal_dir() -> Path:
    return Path(current_app.config["PORTAL_DIR"])


def publish_portal(session: Session) -> PortalBuild:
    """Rebuilds the portal in PORTAL_DIR (the job, the command and the first request to /portal/)."""
    return build_portal(session, portal_dir())


def queue_rebuild(session: Session) -> None:
    """Asks for a rebuild (committed): ``flask setup`` does, so a new release's pages replace the old ones."""
    outbox.queue_once(session, outbox.PUBLISH_PORTAL)
    session.commit()


@outbox.handles(outbox.PUBLISH_PORTAL.topic)
def _publish_job(session: Session, message: OutboxMessage) -> None:
    publish_portal(session)  # idempotent: the whole site from what is published now


# --- 宣传推广: the admin's articles ---------------------------------------------------------------------


@rule_for(Article)
def _article_rules(session: Session, article: Article, reach: Reach, problems: ProblemCollector) -> None:
    if not (article.title or "").strip():
        problems.add("title", _l("Give the article a title."))
    elif len(article.title) > TITLE_MAX:
        problems.add("title", _l("The title has at most %(count)d characters.", count=TITLE_MAX))
    if len(article.summary or "") > SUMMARY_MAX:
        problems.add("summary", _l("The summary has at most %(count)d characters.", count=SUMMARY_MAX))
    if article.category not in ARTICLE_CATEGORIES:
        problems.add("category", _l("Choose news or policy."))
    if article.published and not (article.body or "").strip():
        problems.add("body", _l("A published article needs its text."))


def save_article(session: Session, article: Article, reach: Reach) -> Article:
    """Adds or changes an article (every problem at once); a published one without a date gets today's.
    The portal's rebuild is queued in the same transaction."""
    if article.published and article.published_on is None:
        article.published_on = date.today()
    with session.no_autoflush:
        outbox.queue_once(session, outbox.PUBLISH_PORTAL)
    return records.save(session, article, reach)


def delete_article(session: Session, article: Article, reach: Reach) -> None:
    with session.no_autoflush:
        outbox.queue_once(session, outbox.PUBLISH_PORTAL)
    records.delete(session, article, reach)
