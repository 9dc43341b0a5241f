"""Stand-ins for the outside world the product talks to: the courier's API (``ems``), the SMTP
server and the SMS gateway (``messaging``)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
