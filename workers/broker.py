"""When the broker last lost its queues.

Redis here keeps nothing on disk: restarted, it comes back empty and every job that waited in it is gone.
The relay keeps a mark (a key with no expiry) in the broker's own database: the moment the relay first
found the broker without it. Rows published before that moment and never taken were lost with the old
queues, so the relay hands them over again at once, oldest first — instead of waiting for the stale limit
and a later row to show that the queue passed them. A row handed over again is published after the mark
and never counted lost twice; sending one that was not lost after all is harmless (a worker refuses a row
done or held by another).

The embedded SQLAlchemy transport keeps its queue in a file: it never loses it this way (None).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kombu import Connection

#: the key the relay keeps in the broker's database
MARK = "kytb:outbox:queues-since"


def queues_lost_before(connection: Connection, at: datetime) -> datetime | None:
    """When the broker's queues were last found empty: ``at`` when the mark is missing now (Redis
    restarted empty or was flushed; or the relay never ran against it), else the moment the mark keeps."""
    client = _redis(connection)
    if client is None:
        return None
    client.set(MARK, at.isoformat(), nx=True)  # only the first relay to find it missing sets it
    value = client.get(MARK)
    return datetime.fromisoformat(value.decode()) if value else at


def _redis(connection: Connection) -> Any:
    """The redis-py client of the broker's channel, or None for another broker."""
    if connection.transport.driver_type != "redis":
        return None
    return connection.default_channel.client
