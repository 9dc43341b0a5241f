"""对账: the daily reconciliation of both ends (issue 14 item 3). Pure: the kinds of finding, who answers for
each, and the transit threshold of a route from its measured transit times."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Iterable


class FindingKind(StrEnum):
    """What the reconciliation finds. Case findings go to the side that must act; system findings (the outbox)
    to the administrators and the city supervisors only."""

    #: accepted, and the materials have not left one working day after acceptance (dispatch_due passed)
    NOT_DISPATCHED = "not_dispatched"
    #: the parcel left and the home window has not signed for it after the route's usual transit time
    NOT_SIGNED = "not_signed"
    #: completed, and the result has not reached the applicant by its delivery day (delivery_due passed)
    NOT_DELIVERED = "not_delivered"
    #: a parcel tracked with the courier has reported nothing for RECONCILIATION_TRACKING_SILENT_DAYS days
    TRACKING_SILENT = "tracking_silent"
    #: a notice's background rendering failed (its outbox row not done, with an error)
    NOTICE_FAILED = "notice_failed"
    #: a side effect (outbox row) not done longer than the stale limit
    OUTBOX_STALE = "outbox_stale"


#: findings about the system, not a case: nobody's queue, seen by the everything-roles only
SYSTEM_KINDS = frozenset({FindingKind.OUTBOX_STALE})

#: fewer signed parcels on a route than this: its threshold is the default (RECONCILIATION_TRANSIT_DAYS)
MIN_SAMPLES = 5
#: the share of a route's signed parcels that arrived within its threshold
PERCENTILE = 0.9


def percentile(values: Iterable[int], share: float = PERCENTILE) -> float:
    """The ``share`` quantile of ``values`` (nearest rank: the smallest value that at least ``share`` of them
    do not exceed)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def transit_threshold(measured: list[int], default: int, min_samples: int = MIN_SAMPLES) -> int:
    """Working days after which a parcel of a route is overdue at its home window: the 90th percentile of
    the route's measured transit times (at least one day) once there are ``min_samples`` of them, else
    ``default``."""
    if len(measured) < min_samples:
        return default
    return max(1, int(percentile(measured)))
