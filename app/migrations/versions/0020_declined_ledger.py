"""declined cases get their ledger row

Since issue 11 a declined case (不予受理) is work the window did: the decline opens its ledger row with the
outcome. Cases declined before that have no row. This gives each of them one, at the window of ours that
declined it, dated the day of the decline, with the clerk who declined it as 经办人 — what the decline
step writes now. No schema change.

The region names are worked out here with the rule of ``Region.full_name`` as it stands at this
revision: a migration must not depend on models that later revisions change.

Revision ID: 0020_declined_ledger
Revises: 0014_supplement
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0020_declined_ledger"
down_revision = "0014_supplement"
branch_labels = None
depends_on = None

MUNICIPALITY_CODES = frozenset({"110000", "120000", "310000", "500000"})

case = sa.table("case", sa.column("id"), sa.column("status"), sa.column("origin_center_id"),
                sa.column("home_center_id"), sa.column("applicant_name"), sa.column("applicant_phone"),
                sa.column("handling_type_id"), sa.column("matter_id"), sa.column("decided_on", sa.Date),
                sa.column("registered_on", sa.DateTime))
center = sa.table("service_center", sa.column("id"), sa.column("external", sa.Boolean), sa.column("region_id"))
region = sa.table("region", sa.column("id"), sa.column("name"), sa.column("level"), sa.column("code"),
                  sa.column("parent_id"))
ledger = sa.table("ledger_entry", sa.column("center_id"), sa.column("case_id"), sa.column("role"),
                  sa.column("entry_date", sa.Date), sa.column("applicant_name"), sa.column("applicant_phone"),
                  sa.column("handling_type_name"), sa.column("region_name"), sa.column("matter_name"),
                  sa.column("handler_name"), sa.column("case_status"), sa.column("remarks"), sa.column("changed_on", sa.DateTime))
event = sa.table("case_event", sa.column("case_id"), sa.column("action"), sa.column("actor_name"),
                 sa.column("at", sa.DateTime))
handling_type = sa.table("handling_type", sa.column("id"), sa.column("name"))
matter = sa.table("matter", sa.column("id"), sa.column("name"))


def _full_name(regions: dict[int, tuple], region_id: int | None) -> str:
    """广元市利州区: the names from the city down (the province only for a municipality)."""
    chain, current = [], region_id
    while current is not None and current in regions:
        chain.append(regions[current])
        current = regions[current][4]
    if not chain:
        return ""
    chain.reverse()
    own = chain[-1]
    names = [r[1] for r in chain[:-1] if r[2] != "province" or r[3] in MUNICIPALITY_CODES]
    if own[3] is None and names and own[1].startswith(names[-1].removesuffix("市")):
        names = names[:-1]
    return "".join(names + [own[1]])


def backfill_declined_rows(connection: Connection) -> int:
    """Adds the missing ledger row of every declined case; returns how many it added."""
    declined = connection.execute(sa.select(case).where(case.c.status == "rejected")).mappings().all()
    if not declined:
        return 0
    regions = {r.id: tuple(r) for r in connection.execute(
        sa.select(region.c.id, region.c.name, region.c.level, region.c.code, region.c.parent_id))}
    centers = {c.id: c for c in connection.execute(sa.select(center)).mappings()}
    has_row = {(r.case_id, r.center_id) for r in connection.execute(sa.select(ledger.c.case_id, ledger.c.center_id))}
    added = 0
    for row in declined:
        origin, home = centers[row["origin_center_id"]], centers[row["home_center_id"]]
        # the window of ours that declined: the origin, or for an inbound case the home window
        role, window, other = ("origin", origin, home) if not origin["external"] else ("home", home, origin)
        if window["external"] or (row["id"], window["id"]) in has_row:
            continue
        decline = connection.execute(
            sa.select(event.c.actor_name, event.c.at).where(event.c.case_id == row["id"], event.c.action == "reject")
            .order_by(event.c.at.desc()).limit(1)).first()
        on = row["decided_on"] or (decline.at.date() if decline is not None else row["registered_on"].date())
        connection.execute(ledger.insert().values(
            center_id=window["id"], case_id=row["id"], role=role, entry_date=on,
            applicant_name=row["applicant_name"], applicant_phone=row["applicant_phone"],
            handling_type_name=connection.scalar(sa.select(handling_type.c.name)
                                                 .where(handling_type.c.id == row["handling_type_id"])) or "",
            region_name=_full_name(regions, other["region_id"]),
            matter_name=connection.scalar(sa.select(matter.c.name).where(matter.c.id == row["matter_id"])) or "",
            handler_name=(decline.actor_name if decline is not None else "")[:128], case_status="rejected",
            remarks="", changed_on=sa.func.now()))
        added += 1
    return added


def upgrade() -> None:
    backfill_declined_rows(op.get_bind())


def downgrade() -> None:
    pass  # the rows stay: they are what the decline step writes now, and nothing before this revision reads them
