"""How case statuses and steps read to people (zh by default, en through the language menu)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Registered"), "accepted": _l("Accepted"), "rejected": _l("Declined"), "in_transit": _l("In transit"),
    "received": _l("Received"), "processing": _l("Processing"), "correction": _l("Awaiting correction"),
    "completed": _l("Completed"), "delivered": _l("Delivered"), "archived": _l("Archived"), "withdrawn": _l("Withdrawn"),
}
TRANSITION_LABELS = {
    "accept": _l("Accept (on behalf)"), "reject": _l("Decline"), "dispatch": _l("Dispatch materials"),
    "receive": _l("Receive"), "forward": _l("Forward to department"), "request_correction": _l("Request correction"),
    "supplement": _l("Supplement received"), "complete": _l("Complete"), "deliver": _l("Deliver result"),
    "archive": _l("Archive"), "withdraw": _l("Withdraw"),
}
