"""The applicant's portal (issue 13): a static site of plain HTML, one CSS file and a little JavaScript, built
from the published catalog and the articles (宣传推广), served by any static host (and by this app at /portal/).

- ``build_portal(session, out_dir)`` renders every page into ``out_dir`` (a fresh folder swapped in whole, so
  a reader never sees half a site); ``publish_portal(session)`` builds into ``PORTAL_DIR``.
- The ``publish_portal`` job (outbox topic, queued when a guide is published or retired and when an article
  is saved or deleted) rebuilds it; ``flask portal build`` does it by hand.
- ``save_article`` / ``delete_article``: the admin's edits of 宣传推广, each with its rebuild queued in the
  same transaction.

Build-time data come from the public catalog's service functions (``app.services.public.catalog``), the same
answers the public API gives (the sample links are made here, under ``PORTAL_API_BASE``); what
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

from app.errors import ProblemCollector
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
SAMPLE_PATH = public_catalog.SAMPLE_PATH
#: the language the portal is written in (its applicants read Chinese)
PORTAL_LOCALE = "zh"

ARTICLE_CATEGORIES = {ArticleCategory.NEWS.value: _l("News"), ArticleCategory.POLICY.value: _l("Policy")}
TITLE_MAX, SUMMARY_MAX = 200, 500


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
    api_base = (current_app.config["PORTAL_API_BASE"] if api_base is None else api_base).rstrip("/")
    handling_types = public_catalog.public_handling_types(session)
    matters = public_catalog.public_matters(session)["result"]
    guides = [public_catalog.public_guide(session, m["code"]) for m in matters]  # each published: found
    windows = public_catalog.public_windows(session)
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
