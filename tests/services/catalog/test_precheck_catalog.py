"""远程预审 in the catalog: a matter marked for it publishes a guide that says so, with its working hours; a
matter not marked keeps its guide's content (and checksum) unchanged."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.platform import records
from app.scope import SYSTEM
from app.services.catalog import matters as catalog
from tests import factories


def test_a_matter_marked_for_pre_check_publishes_it_in_its_guide(db):
    matter = factories.make_matter(db)
    plain = catalog.publish_matter(db, matter, SYSTEM)
    assert "precheck" not in plain.content  # unmarked: the guide as before
    matter.precheck, matter.precheck_hours = True, 8
    marked = catalog.publish_matter(db, matter, SYSTEM)
    assert marked.version == 2 and (marked.content["precheck"], marked.content["precheck_hours"]) == (True, 8)


def test_the_demo_marks_one_matter_for_pre_check_and_not_the_browser_walks(db):
    assert factories.matter(db, "KYTB-HRSS-003").current_guide.content["precheck"] is True
    assert "precheck" not in factories.matter(db, "KYTB-HRSS-001").current_guide.content


@pytest.mark.parametrize("hours", [0, 41])
def test_a_pre_check_time_out_of_range_is_refused(db, hours):
    matter = factories.make_matter(db)
    matter.precheck, matter.precheck_hours = True, hours
    with pytest.raises(ValidationFailed) as refused:
        records.save(db, matter, SYSTEM)
    assert [p.field for p in refused.value.problems] == ["precheck_hours"]
