"""宣传推广: the news and policy articles of the applicant's portal, edited by the administrator and the city
supervisor, published as pages of the static portal (app/services/public/portal.py)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Stamped
from app.scope import ScopeRule, everyone, nobody


class ArticleCategory(StrEnum):
    NEWS = "news"  # 工作动态
    POLICY = "policy"  # 政策解读


class Article(Stamped, Model):
    """One page of 宣传推广. Public once ``published``: readable by every staff role that holds the
    permission; written only by the reaches that cover everything (the administrator and the city
    supervisor, the only roles given ``can_write`` on it)."""

    __tablename__ = "article"
    __scope__ = ScopeRule(read=everyone, write=nobody)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    #: plain text; a blank line separates paragraphs
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(String(16), nullable=False, default=ArticleCategory.NEWS)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: the date the page shows; set to the day of publishing when left empty
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    def __repr__(self) -> str:
        return self.title
