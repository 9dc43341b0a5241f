"""List columns a database cannot order by are not offered for sorting (PostgreSQL has no order for JSON)."""

from __future__ import annotations


def test_a_json_column_is_not_offered_for_sorting(app):
    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "RatingView")
    assert "tags" in view.list_columns and "tags" not in view.order_columns
    assert "rated_at" in view.order_columns
