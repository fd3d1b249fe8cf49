"""Assigning punches to shift instances by their windows.

A shift's window runs from ``checkin_before_minutes`` before its start to
``checkout_after_minutes`` after its end. When the windows of two consecutive shifts overlap,
they meet halfway between the first shift's end and the second one's start, kept inside both
windows: an 18:00-07:00 night shift followed by an 08:00 day shift splits at 07:30, so the
07:05 check-out stays with the night (Frappe HR gives it to the day shift, frappe/hrms #3298).
Shift instances are datetimes picked by containment, so midnight needs no special case. Shifts
that overlap each other are a data error: the earlier one is kept, the later one is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter

from hrcore.attendance.model import (
    AttendancePunch,
    DataIssue,
    IssueKind,
    ShiftInstance,
)


@dataclass(frozen=True, slots=True)
class Window:
    shift: ShiftInstance
    opens: datetime
    closes: datetime


@dataclass(frozen=True, slots=True)
class Rejected:
    """A shift dropped because it overlaps a kept one."""

    shift: ShiftInstance
    issue: DataIssue


@dataclass(frozen=True, slots=True)
class Assignment:
    windows: tuple[Window, ...]
    rejected: tuple[Rejected, ...]
    by_shift: tuple[tuple[AttendancePunch, ...], ...]  # aligned with windows
    outside: tuple[AttendancePunch, ...]  # in no window


_BY_TIME = attrgetter("at", "id")


def _fmt(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def drop_overlapping(
    employee: str, shifts: Iterable[ShiftInstance]
) -> tuple[list[ShiftInstance], list[Rejected]]:
    kept: list[ShiftInstance] = []
    rejected: list[Rejected] = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.end)):
        # kept shifts do not overlap and are sorted by start, so the last one ends latest
        clash = kept[-1] if kept and shift.start < kept[-1].end else None
        if clash is None:
            kept.append(shift)
            continue
        message = (
            f"shift {shift.rule.code} {_fmt(shift.start)}-{_fmt(shift.end)} "
            f"({shift.source or 'roster'}) "
            f"overlaps shift {clash.rule.code} {_fmt(clash.start)}-{_fmt(clash.end)} "
            f"({clash.source or 'roster'}) of the same person; the later one was not evaluated, "
            "fix the roster"
        )
        rejected.append(
            Rejected(shift, DataIssue(IssueKind.OVERLAPPING_SHIFTS, employee, shift.date, message))
        )
    return kept, rejected


def windows_for(shifts: Sequence[ShiftInstance]) -> list[Window]:
    """Windows of non-overlapping shifts sorted by start, trimmed where consecutive ones meet."""
    opens = [s.start - timedelta(minutes=s.rule.checkin_before_minutes) for s in shifts]
    closes = [s.end + timedelta(minutes=s.rule.checkout_after_minutes) for s in shifts]
    for i in range(len(shifts) - 1):
        if closes[i] > opens[i + 1]:
            gap_middle = shifts[i].end + (shifts[i + 1].start - shifts[i].end) / 2
            boundary = min(max(gap_middle, opens[i + 1]), closes[i])
            closes[i] = boundary
            opens[i + 1] = boundary
    return [Window(s, o, c) for s, o, c in zip(shifts, opens, closes, strict=True)]


def assign(
    employee: str, shifts: Iterable[ShiftInstance], punches: Sequence[AttendancePunch]
) -> Assignment:
    """Give each punch to the shift whose window holds it (earlier shift wins at a boundary)."""
    kept, rejected = drop_overlapping(employee, shifts)
    windows = windows_for(kept)
    groups: list[list[AttendancePunch]] = [[] for _ in windows]
    outside: list[AttendancePunch] = []
    ordered = sorted(punches, key=_BY_TIME)
    w = 0
    for punch in ordered:
        while w < len(windows) and windows[w].closes < punch.at:
            w += 1
        if w < len(windows) and windows[w].opens <= punch.at:
            groups[w].append(punch)
        else:
            outside.append(punch)
    return Assignment(
        windows=tuple(windows),
        rejected=tuple(rejected),
        by_shift=tuple(tuple(g) for g in groups),
        outside=tuple(outside),
    )


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
