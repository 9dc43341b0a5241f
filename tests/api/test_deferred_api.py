"""容缺受理 through the API: the case's materials say which one is awaited and by when, and the accepting
window records it supplied with its scan; the home window and the department cannot, a second time is a
conflict and an id out of scope is not found."""

from __future__ import annotations

from tests import factories
from tests.api.test_case_api import URL, clients, upload  # noqa: F401 (fixture)
from tests.services.cases.test_deferred_materials import (  # noqa: F401 (fixture)
    PHOTO,
    _accept,
    _case_without,
    _material,
    photo_deferrable,
)


def test_a_material_accepted_to_follow_is_supplied_by_the_accepting_window(clients, db, photo_deferrable):  # noqa: F811
    case = _accept(db, _case_without(db, PHOTO), materials=[PHOTO], until="2026-03-06", promise_signed=True)
    photo = _material(case, PHOTO)
    lz, hrss = clients["lz_window"], clients["cx_hrss"]

    listed = {m["seq"]: m for m in lz.get(f"{URL}{case.id}/materials").get_json()["result"]}
    assert (listed[PHOTO]["awaiting_supply"], listed[PHOTO]["deferred_until"], listed[PHOTO]["promise_signed"]) == (
        True, "2026-03-06", True)

    url = f"{URL}{case.id}/materials/{photo.id}/supplied"
    png = factories.small_png()
    assert upload(hrss, url, png, "照片.png").status_code == 403  # a department records no material
    assert upload(clients["cx_window"], url, png, "照片.png").status_code == 403  # the home window neither
    supplied = upload(lz, url, png, "照片.png")
    assert supplied.status_code == 201, supplied.get_json()
    body = supplied.get_json()["result"]
    assert body["awaiting_supply"] is False and body["supplied_on"] and body["scan_name"] == "照片.png"
    assert upload(lz, url, png, "照片.png").status_code == 409
    assert upload(lz, f"{URL}{case.id + 9999}/materials/{photo.id}/supplied", png, "照片.png").status_code == 404
