"""REST resource for the portal's news and policy articles (宣传推广): /api/v1/article/. As on the page, saving or
deleting one goes to the article service, which checks it (every problem at once) and queues the portal's
rebuild in the same transaction."""

from __future__ import annotations

from typing import Any

from app.models.portal import Article
from app.platform.fab import AppModelRestApi, ScopedInterface, current_reach
from app.services.public import portal


class ArticleInterface(ScopedInterface):
    """Writes go to the article service."""

    def add(self, item: Any, commit: bool = True) -> None:
        portal.save_article(self.session, item, current_reach())

    def edit(self, item: Any, commit: bool = True) -> None:
        portal.save_article(self.session, item, current_reach())

    def delete(self, item: Any, commit: bool = True) -> None:
        portal.delete_article(self.session, item, current_reach())


class ArticleApi(AppModelRestApi):
    resource_name = "article"
    datamodel = ArticleInterface(Article)
    list_columns = ["id", "title", "category", "published", "published_on", "changed_on"]
    show_columns = ["id", "title", "category", "summary", "body", "published", "published_on", "changed_on"]
    add_columns = edit_columns = ["title", "category", "summary", "body", "published", "published_on"]
    search_columns = ["title", "category", "published"]
    order_columns = ["title", "published_on"]
    base_order = ("published_on", "desc")
