"""Deadline checks with reminders and escalations, notifications, reports."""

from __future__ import annotations
