"""Errors of the attendance core, split by what the caller can do."""

from __future__ import annotations


class AttendanceError(Exception):
    """Base class of every error the attendance core raises."""


class CalendarNotCovered(AttendanceError):
    """A date is outside the holiday calendar's data; upgrade the calendar package."""


class UnknownPolicy(AttendanceError):
    """No overtime policy has the requested code."""
