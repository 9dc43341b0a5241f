"""Reminders and escalations, message templates, reports."""

from __future__ import annotations
