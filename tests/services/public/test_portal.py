"""The static portal (issue 13): what ``build_portal`` writes, the rebuild queued through the outbox when a
guide is published or retired and when an article is saved, the admin's articles, ``flask portal build``
and /portal/ served by the app."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.models.case import OutboxMessage
from app.models.catalog import Matter, MatterStatus
from app.models.portal import Article
from app.platform import outbox
from app.scope import SYSTEM, reach_of
from app.services.catalog.matters import publish_matter, retire_matter
from app.services.public import catalog as public_catalog
from app.services.public import portal
from tests import factories
from tests.conftest import config_override


def _published_codes(db) -> list[str]:
    return list(db.scalars(select(Matter.code).where(Matter.status == MatterStatus.PUBLISHED).order_by(Matter.code)))


def _pending_portal_jobs(db) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "publish_portal",
                                                       OutboxMessage.done_on.is_(None))))


def _read(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def test_the_build_writes_every_page_with_relative_links_and_nothing_from_outside(db, tmp_path):
    built = portal.build_portal(db, tmp_path / "site")
    site = built.directory
    codes = _published_codes(db)
    assert codes and built.guides == len(codes)
    for name in ("index.html", "windows.html", "progress.html", "rate.html", "news.html", "portal.css", "portal.js"):
        assert (site / name).is_file(), name
    assert sorted(p.stem for p in (site / "guides").glob("*.html")) == codes
    articles = db.scalars(select(Article).where(Article.published.is_(True))).all()
    assert len(articles) >= 2 and sorted(p.stem for p in (site / "news").glob("*.html")) == sorted(
        str(a.id) for a in articles)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html and 'href="#main"' in html, page
        # no CDN, no external font, no absolute link into this app: the folder works on any static host
        assert not re.search(r'(src|href)="(https?:)?//', html), page
        assert not re.search(r'(src|href)="/', html), page


def test_the_home_page_lists_every_published_matter_and_embeds_them_as_the_search_index(db, tmp_path):
    site = portal.build_portal(db, tmp_path / "site").directory
    html = _read(site, "index.html")
    index = json.loads(re.search(r'<script type="application/json" id="matters-index">(.*?)</script>', html,
                                 re.S).group(1))
    assert [m["code"] for m in index] == _published_codes(db)
    for code in _published_codes(db):
        assert f'href="guides/{code}.html"' in html  # the full list, usable without JavaScript
    assert "办事指南" in html and "大字版" in html  # written in Chinese


def test_a_guide_page_carries_the_guide_and_links_sample_forms_to_the_public_api(db, tmp_path):
    code = _published_codes(db)[0]
    site = portal.build_portal(db, tmp_path / "site", api_base="https://zwfw.example.cn").directory
    html = _read(site, f"guides/{code}.html")
    guide = public_catalog.public_guide(db, code)
    assert guide["name"] in html and guide["fee_note"] in html and "承诺时限" in html and "法定时限" in html
    for material in guide["materials"]:
        assert material["name"] in html
        link = f'href="https://zwfw.example.cn/api/v1/public/matters/{code}/materials/{material["seq"]}/sample"'
        assert (link in html) == bool(material["sample_url"])
    assert '<meta name="portal-api" content="https://zwfw.example.cn/api/v1/public">' in html
    assert 'href="../portal.css"' in html and 'href="../index.html"' in html


def test_the_same_origin_is_the_default_api(db, tmp_path):
    site = portal.build_portal(db, tmp_path / "site", api_base="").directory
    assert '<meta name="portal-api" content="/api/v1/public">' in _read(site, "progress.html")


def test_a_rebuild_replaces_the_whole_site_and_a_retired_guide_leaves_it(db, tmp_path):
    folder = tmp_path / "site"
    portal.build_portal(db, folder)
    (folder / "stale.html").write_text("old", encoding="utf-8")
    matter = factories.matter(db, _published_codes(db)[0])
    retire_matter(db, matter, SYSTEM)
    portal.build_portal(db, folder)
    assert not (folder / "stale.html").exists()
    assert not (folder / "guides" / f"{matter.code}.html").exists()
    assert matter.code not in _read(folder, "index.html")
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no work folder left behind


def test_publishing_a_changed_guide_queues_one_rebuild_that_the_job_carries_out(app, db, tmp_path):
    for message in _pending_portal_jobs(db):
        db.delete(message)
    db.commit()
    matter = factories.matter(db, _published_codes(db)[0])
    matter.acceptance_conditions += "\n持本人有效身份证件。"
    publish_matter(db, matter, SYSTEM)
    assert publish_matter(db, matter, SYSTEM) is None  # nothing changed: no new version …
    assert len(_pending_portal_jobs(db)) == 1  # … and the rebuild asked once
    with config_override(app, PORTAL_DIR=tmp_path / "portal"):
        factories.run_outbox(db, "publish_portal")
        assert "持本人有效身份证件。" in _read(tmp_path / "portal", f"guides/{matter.code}.html")
    assert _pending_portal_jobs(db) == []


def test_publishing_an_unchanged_guide_queues_nothing(db):
    for message in _pending_portal_jobs(db):
        db.delete(message)
    db.commit()
    publish_matter(db, factories.matter(db, _published_codes(db)[0]), SYSTEM)
    assert _pending_portal_jobs(db) == []


def test_saving_an_article_queues_the_rebuild_and_dates_it(db):
    article = Article(title="“跨域通办”窗口延时服务", category="news", body="工作日中午不打烊。", published=True)
    portal.save_article(db, article, reach_of(factories.user(db, "city_super")))
    assert article.id and article.published_on is not None
    assert _pending_portal_jobs(db)


def test_an_article_with_problems_reports_all_of_them_and_queues_nothing(db):
    for message in _pending_portal_jobs(db):
        db.delete(message)
    db.commit()
    article = Article(title="", category="rumour", summary="长" * 501, body="", published=True)
    with pytest.raises(ValidationFailed) as refused:
        portal.save_article(db, article, reach_of(factories.user(db, "admin")))
    assert {p.field for p in refused.value.problems} == {"title", "category", "summary", "body"}
    assert _pending_portal_jobs(db) == []


def test_an_unpublished_article_is_not_on_the_portal(db, tmp_path):
    draft = Article(title="草稿：尚未发布的通知", category="policy", body="内容", published=False)
    portal.save_article(db, draft, SYSTEM)
    site = portal.build_portal(db, tmp_path / "site").directory
    assert not (site / "news" / f"{draft.id}.html").exists()
    assert "草稿：尚未发布的通知" not in _read(site, "news.html")


def test_flask_portal_build_writes_the_site_where_asked(app, db, tmp_path):
    result = app.test_cli_runner().invoke(args=["portal", "build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "portal written to" in result.output and (tmp_path / "out" / "index.html").is_file()


def test_the_app_serves_the_portal_and_builds_it_on_the_first_request(app, client, tmp_path):
    with config_override(app, PORTAL_DIR=tmp_path / "portal"):
        home = client.get("/portal/")
        assert home.status_code == 200 and "text/html" in home.content_type
        assert "办事指南" in home.get_data(as_text=True)
        assert client.get("/portal").status_code == 301
        assert client.get("/portal/portal.css").content_type.startswith("text/css")
        assert client.get("/portal/windows.html").status_code == 200
        assert client.get("/portal/guides/NO-SUCH.html").status_code == 404
        assert client.get("/portal/../config.py").status_code == 404


def test_admin_and_city_supervisor_edit_articles_others_do_not(app, db):
    from app.domain.permissions import MATRIX, READ, WRITE
    from app.domain.roles import RoleName

    assert MATRIX["Article"][WRITE] == {RoleName.ADMIN, RoleName.CITY_SUPERVISOR}
    assert MATRIX["Article"][READ] == {RoleName.ADMIN, RoleName.CITY_SUPERVISOR}
    assert outbox.PUBLISH_PORTAL.topic in outbox.HANDLERS
