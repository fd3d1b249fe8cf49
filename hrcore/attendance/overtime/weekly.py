"""Workweek arithmetic shared by the policies that count hours per fixed workweek (US federal,
California, ...), so a country module never has to import another country's module."""

from __future__ import annotations

from datetime import date, timedelta

from hrcore.attendance.model import WeekendCalendar


def week_start(day: date, starts: int) -> date:
    """The first day of the workweek holding ``day``; ``starts`` is a Python weekday
    (0 = Monday ... 6 = Sunday)."""
    if not 0 <= starts <= 6:
        raise ValueError(f"week start {starts} is not a weekday number; use 0 (Monday)..6 (Sunday)")
    return day - timedelta(days=(day.weekday() - starts) % 7)


def whole_weeks(first: date, last: date, starts: int) -> tuple[date, date]:
    """``first..last`` widened to whole workweeks."""
    return week_start(first, starts), week_start(last, starts) + timedelta(days=6)


class WorkweekPolicy:
    """Calendar and context of a policy judged per workweek.

    Subclasses are slotted dataclasses with a ``_calendar`` field and a ``week_starts``
    attribute or property.
    """

    __slots__ = ()

    _calendar: WeekendCalendar

    @property
    def week_starts(self) -> int:
        raise NotImplementedError

    @property
    def calendar(self) -> WeekendCalendar:
        return self._calendar

    def context(self, first: date, last: date) -> tuple[date, date]:
        """Whole workweeks: weekly overtime of any day depends on the rest of its week."""
        return whole_weeks(first, last, self.week_starts)
