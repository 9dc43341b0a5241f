"""Courier bookings and tracking events of shipments."""

from __future__ import annotations
