"""List pages load their related columns in a constant number of queries, not one per row."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db as database


def _count_statements(client, url: str) -> int:
    statements: list[str] = []
    engine = database.engines[None]
    target = engine.engine if hasattr(engine, "engine") else engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(target, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize("view,url", [
    ("DepartmentView", "/departmentview/list/"),
    ("CenterView", "/centerview/list/"),
    ("MatterView", "/matterview/list/"),
    ("StaffUserView", "/users/list/"),
    ("RegionView", "/regionview/list/"),
])
def test_a_list_page_takes_as_many_queries_for_100_rows_as_for_2(client, login, db, view, url):
    login("admin")
    _count_statements(client, f"{url}?psize_{view}=2")  # warm caches shared by every page
    two = _count_statements(client, f"{url}?psize_{view}=2")
    hundred = _count_statements(client, f"{url}?psize_{view}=100")
    # A few more for the related rows that only the longer page shows (their region tree), never one per row.
    assert hundred <= two + 10, f"{url}: {two} statements for 2 rows, {hundred} for 100"
