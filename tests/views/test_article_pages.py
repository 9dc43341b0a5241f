"""宣传推广 in the admin: the city supervisor (and the administrator) add and edit the portal's articles; saving
queues the portal's rebuild; other roles do not see the pages."""

from __future__ import annotations

from sqlalchemy import select

from app.models.case import OutboxMessage
from app.models.portal import Article
from tests.conftest import csrf_token


def _portal_jobs(db) -> int:
    return len(db.scalars(select(OutboxMessage.id).where(OutboxMessage.topic == "publish_portal",
                                                         OutboxMessage.done_on.is_(None))).all())


def test_the_city_supervisor_adds_an_article_and_the_portal_rebuild_is_queued(login, db):
    client = login("city_super")
    before = _portal_jobs(db)
    page = client.get("/articleview/add")
    assert page.status_code == 200 and "栏目" in page.get_data(as_text=True)
    answer = client.post("/articleview/add", data={
        "csrf_token": csrf_token(client, "/articleview/add"), "title": "窗口延时服务：中午不打烊", "category": "news",
        "summary": "", "body": "工作日 12:00—14:00 “跨域通办”窗口照常收件。", "published": "y", "published_on": ""})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    article = db.scalar(select(Article).where(Article.title == "窗口延时服务：中午不打烊"))
    assert article is not None and article.published and article.published_on is not None
    assert _portal_jobs(db) == max(before, 1)


def test_a_published_article_without_text_is_refused_with_its_reason(login, db):
    client = login("admin")
    answer = client.post("/articleview/add", data={
        "csrf_token": csrf_token(client, "/articleview/add"), "title": "只有标题的文章", "category": "news",
        "summary": "", "body": "", "published": "y", "published_on": ""}, follow_redirects=True)
    assert "发布的文章需要填写正文" in answer.get_data(as_text=True)
    assert db.scalar(select(Article).where(Article.title == "只有标题的文章")) is None


def test_window_clerks_do_not_reach_the_articles(login):
    client = login("lz_window")
    assert client.get("/articleview/list/").status_code in (302, 403)
