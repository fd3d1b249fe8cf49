"""Judging days: bounce collapse, IN/OUT, worked minutes, status, and the why-trace.

Entry point: :func:`evaluate_employee`. Pure: frozen values in, frozen values out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hrcore.attendance.model import (
    BREAK_STATES,
    IN_STATES,
    OUT_STATES,
    AttendancePunch,
    DataIssue,
    DayCalendar,
    DayKind,
    DayResult,
    DayStatus,
    Direction,
    EmployeeAttendance,
    HoursMode,
    InOutMode,
    ShiftInstance,
    ShiftRule,
    TraceEntry,
    TraceKind,
    UnmatchedPunch,
)
from hrcore.attendance.pairing import assign, dates_between


def _hm(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).time().isoformat("seconds")  # HH:MM:SS


def _clock(at: datetime, tz: ZoneInfo, day: date) -> str:
    """HH:MM local, with (+1) / (-1) when it falls on the day after / before ``day``."""
    t = at.astimezone(tz)
    shift = t.toordinal() - day.toordinal()
    hm = t.time().isoformat("minutes")
    return f"{hm}({shift:+d})" if shift else hm


def _minutes(seconds: float) -> int:
    """Whole minutes, rounded down (a minute counts once it is complete)."""
    return int(seconds // 60)


class _Sided(NamedTuple):  # internal and hot: a named tuple is cheaper than a dataclass
    punch: AttendancePunch
    direction: Direction


_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


class _Trace:
    """Collects trace entries with their order: shift, punches by time, rules, issues."""

    __slots__ = ("keyed", "tz")

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.keyed: list[tuple[int, datetime, int, TraceEntry]] = []

    def entry(self, e: TraceEntry) -> None:
        kind = e.kind
        if kind is TraceKind.SHIFT:
            group, at = 0, _FIRST
        elif kind is TraceKind.ISSUE:
            group, at = 3, _FIRST
        elif kind is TraceKind.RULE or e.at is None:
            group, at = 2, e.at or _LAST
        else:
            group, at = 1, e.at
        self.keyed.append((group, at, len(self.keyed), e))

    def add(self, kind: TraceKind, message: str, punch: AttendancePunch | None = None) -> None:
        keyed = self.keyed
        if punch is None:
            group = 0 if kind is TraceKind.SHIFT else 3 if kind is TraceKind.ISSUE else 2
            at = _LAST if group == 2 else _FIRST
            keyed.append((group, at, len(keyed), TraceEntry(kind, message)))
        else:
            group = 2 if kind is TraceKind.RULE else 1
            keyed.append(
                (group, punch.at, len(keyed), TraceEntry(kind, message, punch.id, punch.at))
            )

    def ordered(self) -> tuple[TraceEntry, ...]:
        self.keyed.sort()  # the sequence number breaks every tie before the entry is compared
        return tuple(k[3] for k in self.keyed)

    def used(self, punch: AttendancePunch, message: str) -> None:
        keyed = self.keyed
        text = f"{_hm(punch.at, self.tz)} {message}"
        keyed.append((1, punch.at, len(keyed), TraceEntry(_USED, text, punch.id, punch.at)))

    def ignored(self, punch: AttendancePunch, message: str) -> None:
        keyed = self.keyed
        text = f"{_hm(punch.at, self.tz)} {message}"
        keyed.append((1, punch.at, len(keyed), TraceEntry(_IGNORED, text, punch.id, punch.at)))


_USED = TraceKind.USED
_IGNORED = TraceKind.IGNORED


def collapse_bounces(
    punches: Sequence[AttendancePunch], seconds: int, trace: _Trace
) -> list[AttendancePunch]:
    """Keep the first punch of every burst closer than ``seconds`` to the last kept punch."""
    kept: list[AttendancePunch] = []
    for punch in punches:
        if kept and seconds > 0 and (punch.at - kept[-1].at).total_seconds() <= seconds:
            trace.ignored(
                punch,
                f"ignored: bounce, within {seconds} s of the punch at {_hm(kept[-1].at, trace.tz)}",
            )
            continue
        kept.append(punch)
    return kept


def sides(punches: Sequence[AttendancePunch], mode: InOutMode, trace: _Trace) -> list[_Sided]:
    """IN/OUT of each punch: alternating by position, or by device state (undefined inferred)."""
    out: list[_Sided] = []
    if mode is InOutMode.ALTERNATING:
        for i, punch in enumerate(punches):
            out.append(_Sided(punch, Direction.IN if i % 2 == 0 else Direction.OUT))
        return out
    open_in = False
    for punch in punches:
        if punch.state in IN_STATES:
            direction = Direction.IN
        elif punch.state in OUT_STATES:
            direction = Direction.OUT
        else:
            direction = Direction.OUT if open_in else Direction.IN
            trace.add(
                TraceKind.RULE,
                f"{_hm(punch.at, trace.tz)} device state {punch.state}: taken as "
                f"{direction} ({'a check-in is open' if open_in else 'no check-in open'})",
                punch,
            )
        open_in = direction is Direction.IN
        out.append(_Sided(punch, direction))
    return out


class _Hours(NamedTuple):
    worked: int
    check_in: AttendancePunch | None
    check_out: AttendancePunch | None
    used: int


def first_last(sided: Sequence[_Sided], rule: ShiftRule, trace: _Trace) -> _Hours:
    check_in: AttendancePunch | None
    check_out: AttendancePunch | None = None
    if rule.in_out_mode is InOutMode.ALTERNATING:
        # first punch in, last punch out, whatever lies between
        check_in = sided[0].punch if sided else None
        if len(sided) > 1:
            check_out = sided[-1].punch
    else:  # by state: break punches neither start nor end the day
        check_in = next(
            (
                s.punch
                for s in sided
                if s.direction is Direction.IN and s.punch.state not in BREAK_STATES
            ),
            None,
        )
        check_out = next(
            (
                s.punch
                for s in reversed(sided)
                if s.direction is Direction.OUT
                and s.punch.state not in BREAK_STATES
                and (check_in is None or s.punch.at > check_in.at)
            ),
            None,
        )
    alternating = rule.in_out_mode is InOutMode.ALTERNATING
    for s in sided:
        if s.punch is check_in:
            trace.used(s.punch, "check-in (first punch)" if alternating else "check-in (first IN)")
        elif s.punch is check_out:
            trace.used(s.punch, "check-out (last punch)" if alternating else "check-out (last OUT)")
        elif check_in is not None and s.punch.at < check_in.at:
            trace.ignored(s.punch, f"ignored: {s.direction} before any check-in")
        elif alternating and check_out is not None:
            trace.ignored(s.punch, "not counted: between first and last punch")
        elif check_out is not None and s.punch.at < check_out.at:
            trace.ignored(s.punch, "not counted: between first check-in and last check-out")
        elif check_out is not None:
            trace.ignored(s.punch, f"ignored: {s.direction} after the last check-out")
        else:
            trace.ignored(s.punch, f"ignored: another {s.direction}, no check-out found")
    if check_in is None or check_out is None:
        return _Hours(
            0, check_in, check_out, int(check_in is not None) + int(check_out is not None)
        )
    span = _minutes((check_out.at - check_in.at).total_seconds())
    worked = span
    if rule.break_minutes and span > rule.break_minutes:
        worked = span - rule.break_minutes
        trace.add(TraceKind.RULE, f"worked {span} min minus {rule.break_minutes} min unpaid break")
    return _Hours(worked, check_in, check_out, 2)


def every_pair(sided: Sequence[_Sided], trace: _Trace) -> _Hours:
    seconds = 0.0
    open_in: AttendancePunch | None = None
    first_in: AttendancePunch | None = None
    last_out: AttendancePunch | None = None
    used = 0
    for s in sided:
        if s.direction is Direction.IN:
            if open_in is not None:
                trace.ignored(s.punch, "ignored: check-in while another check-in is open")
                continue
            open_in = s.punch
        else:
            if open_in is None:
                trace.ignored(s.punch, "ignored: check-out without an open check-in")
                continue
            seconds += (s.punch.at - open_in.at).total_seconds()
            trace.used(open_in, "check-in of a pair")
            trace.used(
                s.punch,
                f"check-out of a pair ({_minutes((s.punch.at - open_in.at).total_seconds())} min)",
            )
            first_in = first_in or open_in
            last_out = s.punch
            used += 2
            open_in = None
    if open_in is not None:
        trace.ignored(open_in, "unpaired: check-in without a check-out")
        if first_in is None:
            return _Hours(0, open_in, None, 1)
    return _Hours(_minutes(seconds), first_in, last_out, used)


def _status(shift: ShiftInstance, hours: _Hours, trace: _Trace) -> tuple[DayStatus, int, int, int]:
    """Status, late minutes, early-exit minutes, minutes after the shift's end."""
    rule = shift.rule
    start, end = shift.start, shift.end
    late = early = after = 0
    if hours.check_in is not None:
        late = max(0, _minutes((hours.check_in.at - start).total_seconds()))
        if late <= rule.late_grace_minutes:
            late = 0
    if hours.check_out is not None:
        early = max(0, _minutes((end - hours.check_out.at).total_seconds()))
        if early <= rule.early_exit_grace_minutes:
            early = 0
        after = max(0, _minutes((hours.check_out.at - end).total_seconds()))
    if hours.check_in is None and hours.check_out is None:
        trace.add(TraceKind.RULE, "absent: no valid punch in the shift window")
        return DayStatus.ABSENT, 0, 0, 0
    if hours.check_out is None:
        trace.add(TraceKind.RULE, "missing check-out: a check-in but no check-out in the window")
        return DayStatus.MISSING_CHECKOUT, late, 0, 0
    if hours.check_in is None:
        trace.add(TraceKind.RULE, "missing check-in: a check-out but no check-in in the window")
        return DayStatus.MISSING_CHECKIN, 0, early, after
    if rule.absent_below_minutes is not None and hours.worked < rule.absent_below_minutes:
        trace.add(
            TraceKind.RULE,
            f"absent: worked {hours.worked} min < absent threshold {rule.absent_below_minutes} min",
        )
        return DayStatus.ABSENT, late, early, after
    if rule.half_day_below_minutes is not None and hours.worked < rule.half_day_below_minutes:
        trace.add(
            TraceKind.RULE,
            f"half day: worked {hours.worked} min < half-day threshold "
            f"{rule.half_day_below_minutes} min",
        )
        return DayStatus.HALF_DAY, late, early, after
    if late:
        trace.add(
            TraceKind.RULE,
            f"late: check-in {late} min after start (grace {rule.late_grace_minutes} min)",
        )
    if early:
        trace.add(
            TraceKind.RULE,
            f"early exit: check-out {early} min before end "
            f"(grace {rule.early_exit_grace_minutes} min)",
        )
    if late and early:
        return DayStatus.LATE_AND_EARLY_EXIT, late, early, after
    if late:
        return DayStatus.LATE, late, early, after
    if early:
        return DayStatus.EARLY_EXIT, late, early, after
    trace.add(TraceKind.RULE, "present: checked in and out within grace")
    return DayStatus.PRESENT, late, early, after


def judge_shift(
    employee: str,
    shift: ShiftInstance,
    opens: datetime,
    closes: datetime,
    punches: Sequence[AttendancePunch],
    kind: DayKind,
    on_leave: bool,
    tz: ZoneInfo,
    extra: Iterable[TraceEntry] = (),
) -> DayResult:
    rule = shift.rule
    trace = _Trace(tz)
    trace.add(
        TraceKind.SHIFT,
        f"shift {rule.code} {rule.start.isoformat('minutes')}-"
        f"{rule.end.isoformat('minutes')}{'(+1)' if rule.crosses_midnight else ''} "
        f"on {shift.date.isoformat()} from {shift.source or 'roster'}; "
        f"window {_clock(opens, tz, shift.date)}-{_clock(closes, tz, shift.date)}; "
        f"IN/OUT {rule.in_out_mode}, hours {rule.hours_mode}; day is {kind}",
    )
    for e in extra:
        trace.entry(e)
    kept = collapse_bounces(punches, rule.bounce_seconds, trace)
    sided = sides(kept, rule.in_out_mode, trace)
    if rule.hours_mode is HoursMode.FIRST_LAST:
        hours = first_last(sided, rule, trace)
    else:
        hours = every_pair(sided, trace)
    status, late, early, after = _status(shift, hours, trace)
    if on_leave:
        trace.add(TraceKind.RULE, f"on leave: approved leave covers this day (would be {status})")
        status, late, early = DayStatus.ON_LEAVE, 0, 0
    return DayResult(
        employee=employee,
        date=shift.date,
        kind=kind,
        status=status,
        shift=shift,
        worked_minutes=hours.worked,
        late_minutes=late,
        early_exit_minutes=early,
        after_end_minutes=after,
        check_in=hours.check_in.at if hours.check_in else None,
        check_out=hours.check_out.at if hours.check_out else None,
        punches_used=hours.used,
        trace=trace.ordered(),
    )


def judge_free_day(
    employee: str,
    day: date,
    punches: Sequence[AttendancePunch],
    kind: DayKind,
    on_leave: bool,
    tz: ZoneInfo,
    bounce_seconds: int,
    extra: Iterable[TraceEntry] = (),
) -> DayResult:
    """A day without a shift: rest day, holiday, leave, or unrostered work (first to last punch)."""
    trace = _Trace(tz)
    trace.add(TraceKind.SHIFT, f"no shift rostered; day is {kind}")
    for e in extra:
        trace.entry(e)
    kept = collapse_bounces(punches, bounce_seconds, trace)
    worked = 0
    first = last = None
    if kept:
        first, last = kept[0], kept[-1]
        trace.used(first, "first punch of unrostered work")
        for punch in kept[1:-1]:
            trace.ignored(punch, "not counted: between first and last punch")
        if len(kept) > 1:
            trace.used(last, "last punch of unrostered work")
            worked = _minutes((last.at - first.at).total_seconds())
        else:
            trace.add(TraceKind.RULE, "a single punch: no worked time can be measured")
    if on_leave:
        status = DayStatus.ON_LEAVE
        trace.add(TraceKind.RULE, "on leave: approved leave covers this day")
    elif kept:
        status = DayStatus.UNROSTERED_WORK
        trace.add(
            TraceKind.RULE,
            f"unrostered work: punches on a day without a shift, worked {worked} min",
        )
    elif kind in (DayKind.PUBLIC_HOLIDAY, DayKind.STATUTORY_HOLIDAY):
        status = DayStatus.HOLIDAY
        trace.add(TraceKind.RULE, f"holiday: no shift and the calendar says {kind}")
    else:
        status = DayStatus.REST_DAY
        trace.add(TraceKind.RULE, f"rest day: no shift rostered (calendar: {kind})")
    return DayResult(
        employee=employee,
        date=day,
        kind=kind,
        status=status,
        shift=None,
        worked_minutes=worked,
        check_in=first.at if first else None,
        check_out=last.at if last and len(kept) > 1 else None,
        punches_used=min(len(kept), 2),
        trace=trace.ordered(),
    )


def evaluate_employee(
    employee: str,
    shifts: Iterable[ShiftInstance],
    punches: Sequence[AttendancePunch],
    first: date,
    last: date,
    *,
    calendar: DayCalendar,
    tz: ZoneInfo,
    leave_dates: frozenset[date] = frozenset(),
    unrostered_bounce_seconds: int = 60,
) -> EmployeeAttendance:
    """Every date from ``first`` to ``last`` of one employee.

    ``shifts`` and ``punches`` may reach outside the range (neighbouring night shifts need them);
    only dates in the range get a result, and only punches near the range are reported unmatched.
    """
    a = assign(employee, shifts, punches)
    issues: list[DataIssue] = []
    extra: defaultdict[date, list[TraceEntry]] = defaultdict(list)
    rejected_dates: set[date] = set()
    shift_dates = {w.shift.date for w in a.windows}
    for r in a.rejected:
        if first <= r.shift.date <= last:
            issues.append(r.issue)
            extra[r.shift.date].append(TraceEntry(TraceKind.ISSUE, r.issue.message))
            if r.shift.date not in shift_dates:
                rejected_dates.add(r.shift.date)

    free: defaultdict[date, list[AttendancePunch]] = defaultdict(list)
    unmatched: list[UnmatchedPunch] = []
    for punch in a.outside:
        local_day = punch.at.astimezone(tz).date()
        if local_day in shift_dates or local_day in rejected_dates:
            if first <= local_day <= last:
                reason = "outside every shift window (too early or too late for the rostered shift)"
                unmatched.append(UnmatchedPunch(employee, punch, reason))
                extra[local_day].append(
                    TraceEntry(
                        TraceKind.IGNORED,
                        f"{_hm(punch.at, tz)} ignored: {reason}",
                        punch.id,
                        punch.at,
                    )
                )
        else:
            free[local_day].append(punch)

    results: dict[date, DayResult] = {}
    for window, group in zip(a.windows, a.by_shift, strict=True):
        day = window.shift.date
        if not first <= day <= last:
            continue
        results[day] = judge_shift(
            employee,
            window.shift,
            window.opens,
            window.closes,
            group,
            calendar.kind(day),
            day in leave_dates,
            tz,
            extra.get(day, ()),
        )
    for day in dates_between(first, last):
        if day in results:
            continue
        kind = calendar.kind(day)
        if day in rejected_dates:
            trace = (
                TraceEntry(TraceKind.SHIFT, "the only shift of this day overlaps another one"),
                *extra.get(day, ()),
                TraceEntry(TraceKind.RULE, "data error: not evaluated until the roster is fixed"),
            )
            results[day] = DayResult(employee, day, kind, DayStatus.DATA_ERROR, None, trace=trace)
            continue
        results[day] = judge_free_day(
            employee,
            day,
            free.get(day, ()),
            kind,
            day in leave_dates,
            tz,
            unrostered_bounce_seconds,
            extra.get(day, ()),
        )
    return EmployeeAttendance(
        employee=employee,
        days=tuple(results[d] for d in sorted(results)),
        unmatched=tuple(unmatched),
        issues=tuple(issues),
    )
