"""宣传推广: the admin's news and policy articles of the applicant's portal. Saving or deleting one queues the
portal's rebuild (``app.services.public.portal``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.models.portal import Article
from app.platform.fab import ScopedInterface, current_reach
from app.services.public import portal
from app.views.base import AppModelView, BulkDeleteMixin, code_select, yes_no


class ArticleInterface(ScopedInterface):
    """Writes go to the article service, which queues the portal's rebuild in the same transaction."""

    def add(self, item: Any, commit: bool = True) -> None:
        portal.save_article(self.session, item, current_reach())

    def edit(self, item: Any, commit: bool = True) -> None:
        portal.save_article(self.session, item, current_reach())

    def delete(self, item: Any, commit: bool = True) -> None:
        portal.delete_article(self.session, item, current_reach())

    def delete_all(self, items: list[Any]) -> None:
        for item in items:
            portal.delete_article(self.session, item, current_reach())


class ArticleView(BulkDeleteMixin, AppModelView):
    datamodel = ArticleInterface(Article)
    class_permission_name = "Article"
    list_title = _l("News and policy")
    show_title = _l("Article")
    add_title = _l("Add article")
    edit_title = _l("Edit article")
    label_columns = {"title": _l("Title"), "summary": _l("Summary"), "body": _l("Text"),
                     "category": _l("Category"), "published": _l("Published on the portal"),
                     "published_on": _l("Date shown"), "changed_on": _l("Changed on")}
    list_columns = ["title", "category", "published", "published_on", "changed_on"]
    show_columns = ["title", "category", "summary", "body", "published", "published_on", "changed_on"]
    add_columns = edit_columns = ["title", "category", "summary", "body", "published", "published_on"]
    search_columns = ["title", "category", "published"]
    base_order = ("published_on", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "category": code_select(_l("Category"), portal.ARTICLE_CATEGORIES),
    }
    formatters_columns = {"category": lambda v: str(portal.ARTICLE_CATEGORIES.get(v, v)), "published": yes_no}
    description_columns = {
        "body": _l("Plain text; an empty line starts a new paragraph."),
        "published_on": _l("Left empty, the day it is published."),
        "published": _l("Shown on the portal's news page; the portal is rebuilt within a minute of saving."),
    }
