"""Organisation records as people read them."""

from __future__ import annotations

from sqlalchemy import select

from app.models.org import Region


def test_region_full_names_read_as_on_an_envelope(db):
    by_name = {r.name: r.full_name for r in db.scalars(select(Region))}
    assert by_name["利州区"] == "广元市利州区"
    assert by_name["昭化镇"] == "广元市昭化区昭化镇"
    assert by_name["渝中区"] == "重庆市渝中区"
    assert by_name["西湖区"] == "杭州市西湖区"
    assert by_name["广元经济技术开发区"] == "广元经济技术开发区"
