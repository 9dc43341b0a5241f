"""List pages load their related columns in a constant number of queries, not one per row."""

from __future__ import annotations

import pytest

from tests.conftest import count_statements


def _count_statements(client, url: str) -> int:
    """The statements of one page load (which must succeed)."""

    def load() -> None:
        assert client.get(url).status_code == 200, url

    return count_statements(load)


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
