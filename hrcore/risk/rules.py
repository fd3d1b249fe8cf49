"""One function per risk signal: the employee's facts in, a flag with its evidence or None.

The rules take ``RiskInput.days`` in date order (:func:`hrcore.risk.assess.assess` sorts).

Each rule looks back from ``as_of`` (the evaluation date) over a window the thresholds set,
so a signal from last year does not stay raised forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from hrcore.risk.model import (
    Evidence,
    Flag,
    RiskInput,
    RiskKind,
    RiskThresholds,
    WorkedDay,
)

TENTH = Decimal("0.1")
Rule = Callable[[RiskInput, date, RiskThresholds], Flag | None]


def hours(minutes: int) -> str:
    """``3270`` -> ``'54.5 h'``."""
    return f"{(Decimal(minutes) / 60).quantize(TENTH, ROUND_HALF_UP)} h"


def _h(value: Decimal) -> str:
    return f"{value.normalize():f} h"


def _minutes(value: Decimal) -> int:
    return int(value * 60)


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _month_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:]), 1)


def _months_back(as_of: date, count: int) -> list[str]:
    """The month of ``as_of`` and the ``count - 1`` before it, latest first."""
    out, year, month = [], as_of.year, as_of.month
    for _ in range(max(count, 1)):
        out.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _month_end(period: str) -> date:
    start = _month_start(period)
    nxt = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return nxt - timedelta(days=1)


def _window(days: Iterable[WorkedDay], first: date, last: date) -> list[WorkedDay]:
    """The days of ``first..last``, in the order given (:func:`assess` sorts them by date)."""
    return [d for d in days if first <= d.date <= last]


def _span(first: date, last: date) -> str:
    return f"{first:%d %b}-{last:%d %b}" if first.year == last.year else f"{first}..{last}"


def long_weeks(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """Weekly hours above ``long_week_hours`` in ``long_weeks_in_a_row`` consecutive ISO
    weeks; a week without hours breaks the run; the run must reach a recent week."""
    monday = as_of - timedelta(days=as_of.weekday())
    first_monday = monday - timedelta(weeks=t.lookback_weeks - 1)
    first, last = first_monday.toordinal(), as_of.toordinal()
    minutes = [0] * t.lookback_weeks  # per week, from first_monday
    for d in inp.days:
        o = d.date.toordinal()
        if first <= o <= last:
            minutes[(o - first) // 7] += d.worked_minutes
    limit = _minutes(t.long_week_hours)
    run = best = 0  # length of the current run / the latest long-enough run's end + 1
    best_len = 0
    for i, worked in enumerate(minutes):
        run = run + 1 if worked > limit else 0
        if run >= t.long_weeks_in_a_row:
            best, best_len = i + 1, run
    if not best_len:
        return None
    weeks = [first_monday + timedelta(weeks=i) for i in range(best - best_len, best)]
    if weeks[-1] + timedelta(days=6) < as_of - timedelta(days=t.recent_days):
        return None
    evidence = tuple(
        Evidence(
            date=min(w + timedelta(days=6), as_of),
            text=(
                f"week {w.isocalendar().year}-W{w.isocalendar().week:02d} "
                f"({_span(w, w + timedelta(days=6))}): "
                f"{hours(minutes[(w.toordinal() - first) // 7])} worked, "
                f"above {_h(t.long_week_hours)}"
            ),
            source=f"attendance {w}..{w + timedelta(days=6)}",
        )
        for w in weeks
    )
    return Flag(
        RiskKind.LONG_WEEKS,
        f"{len(weeks)} weeks in a row above {_h(t.long_week_hours)}",
        evidence,
    )


def _cap_minutes(inp: RiskInput, t: RiskThresholds) -> int:
    if inp.monthly_overtime_cap_minutes is not None:
        return inp.monthly_overtime_cap_minutes
    return _minutes(t.monthly_overtime_cap_hours)


def _overtime_days(days: Iterable[WorkedDay], period: str, as_of: date) -> list[WorkedDay]:
    return [
        d
        for d in _window(days, _month_start(period), min(_month_end(period), as_of))
        if d.overtime_minutes > 0
    ]


def monthly_overtime(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """Overtime of the month of ``as_of`` (or the month before) above the cap."""
    cap = _cap_minutes(inp, t)
    for period in _months_back(as_of, 2):
        days = _overtime_days(inp.days, period, as_of)
        total = sum(d.overtime_minutes for d in days)
        if total > cap:
            evidence = tuple(
                Evidence(
                    d.date,
                    f"{hours(d.overtime_minutes)} overtime ({hours(d.worked_minutes)} worked)",
                    d.source,
                )
                for d in days
            )
            return Flag(
                RiskKind.MONTHLY_OVERTIME,
                f"{period}: {hours(total)} overtime, above the cap of {hours(cap)}",
                evidence,
            )
    return None


def overtime_forecast(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """The month's overtime so far plus what the published roster still plans would pass
    the cap (raised only while the month is still under it)."""
    cap = _cap_minutes(inp, t)
    period = _month(as_of)
    days = _overtime_days(inp.days, period, as_of)
    so_far = sum(d.overtime_minutes for d in days)
    if so_far > cap:
        return None  # already a breach: monthly_overtime says so
    worked = {d.date for d in inp.days}
    planned = sorted(
        (
            p
            for p in inp.planned
            if as_of < p.date <= _month_end(period)
            and p.date not in worked
            and p.overtime_minutes > 0
        ),
        key=lambda p: p.date,
    )
    ahead = sum(p.overtime_minutes for p in planned)
    if so_far + ahead <= cap:
        return None
    evidence = [
        Evidence(
            as_of,
            f"{hours(so_far)} overtime worked in {period} up to {as_of}",
            f"attendance {_month_start(period)}..{as_of}",
        )
    ]
    evidence.extend(
        Evidence(
            p.date,
            f"planned {hours(p.minutes)} shift, {hours(p.overtime_minutes)} overtime",
            p.source,
        )
        for p in planned
    )
    return Flag(
        RiskKind.OVERTIME_FORECAST,
        f"{period}: forecast {hours(so_far + ahead)} overtime ({hours(so_far)} worked + "
        f"{hours(ahead)} rostered), above the cap of {hours(cap)}",
        tuple(evidence),
    )


def long_days(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """At least ``long_days_at_least`` days over ``long_day_hours`` in the last
    ``long_days_window_days`` days."""
    first = as_of - timedelta(days=t.long_days_window_days - 1)
    limit = _minutes(t.long_day_hours)
    found = [d for d in _window(inp.days, first, as_of) if d.worked_minutes > limit]
    if len(found) < t.long_days_at_least:
        return None
    return Flag(
        RiskKind.LONG_DAYS,
        f"{len(found)} days over {_h(t.long_day_hours)} in {t.long_days_window_days} days",
        tuple(Evidence(d.date, f"{hours(d.worked_minutes)} worked", d.source) for d in found),
    )


def no_rest_streak(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """More than ``max_days_in_a_row`` days in a row with work (rest days worked through);
    the streak must reach the last ``recent_days`` days."""
    first = (as_of - timedelta(weeks=t.lookback_weeks)).toordinal()
    last = as_of.toordinal()
    worked = [d for d in inp.days if d.worked_minutes > 0 and first <= d.date.toordinal() <= last]
    best: list[WorkedDay] = []
    run_from = 0
    for i in range(1, len(worked) + 1):
        if i == len(worked) or worked[i].date.toordinal() != worked[i - 1].date.toordinal() + 1:
            if i - run_from > t.max_days_in_a_row:
                best = worked[run_from:i]
            run_from = i
    if not best or best[-1].date < as_of - timedelta(days=t.recent_days):
        return None
    start, end = best[0].date, best[-1].date
    evidence = [
        Evidence(
            end, f"worked {len(best)} days in a row, {start}..{end}", f"attendance {start}..{end}"
        )
    ]
    evidence.extend(
        Evidence(d.date, f"rest day worked, {hours(d.worked_minutes)}", d.source)
        for d in best
        if d.rest_day
    )
    return Flag(
        RiskKind.NO_REST_STREAK,
        f"{len(best)} days in a row without a rest day (limit {t.max_days_in_a_row})",
        tuple(evidence),
    )


def leave(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """Leave days in a calendar month (this one or the ones before, ``leave_months`` in
    all) above ``leave_days_per_month``; calendar days, clipped to the month."""
    for period in _months_back(as_of, t.leave_months):
        lo, hi = _month_start(period), _month_end(period)
        spans = []
        total = 0
        for span in sorted(inp.leave, key=lambda s: s.start):
            first, last = max(span.start, lo), min(span.end, hi)
            if first <= last:
                n = (last - first).days + 1
                total += n
                spans.append((span, n))
        if Decimal(total) > t.leave_days_per_month:
            evidence = tuple(
                Evidence(
                    span.start,
                    f"{span.kind.value} leave {span.start}..{span.end} "
                    f"({n} day{'s' if n > 1 else ''} in {period})",
                    span.source,
                )
                for span, n in spans
            )
            return Flag(
                RiskKind.LEAVE,
                f"{period}: {total} days of leave, above {t.leave_days_per_month.normalize():f}",
                evidence,
            )
    return None


def score_decline(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """The scorecard falling ``score_drops_in_a_row`` consecutive periods, up to a recent
    one (equal is not a drop)."""
    latest_allowed = _month(as_of)
    scores = sorted((s for s in inp.scores if s.period <= latest_allowed), key=lambda s: s.period)
    need = t.score_drops_in_a_row + 1
    if len(scores) < need:
        return None
    tail = scores[-need:]
    if tail[-1].period < _months_back(as_of, 3)[-1]:
        return None  # the latest score is too old to say anything now
    for older, newer in pairwise(tail):
        if _month(_month_start(newer.period) - timedelta(days=1)) != older.period:
            return None  # a gap between periods
        if not newer.points < older.points:
            return None
    trail = " -> ".join(f"{s.period} {s.points}" for s in tail)
    return Flag(
        RiskKind.SCORE_DECLINE,
        f"score fell {t.score_drops_in_a_row} periods in a row: {trail}",
        tuple(
            Evidence(_month_start(s.period), f"scorecard {s.points} points", s.source) for s in tail
        ),
    )


def under_pressure(inp: RiskInput, as_of: date, t: RiskThresholds) -> Flag | None:
    """The latest survey answer (of the last ``survey_months`` months) says "under
    pressure", or its wellbeing score is at most ``wellbeing_at_most``."""
    months = set(_months_back(as_of, t.survey_months))
    answers = sorted((a for a in inp.surveys if a.period in months), key=lambda a: a.period)
    if not answers:
        return None
    latest = answers[-1]
    facts = []
    if latest.under_pressure:
        facts.append('answered "under pressure"')
    if (
        t.wellbeing_at_most is not None
        and latest.wellbeing is not None
        and latest.wellbeing <= t.wellbeing_at_most
    ):
        facts.append(
            f"wellbeing {latest.wellbeing.normalize():f} "
            f"(at most {t.wellbeing_at_most.normalize():f})"
        )
    if not facts:
        return None
    text = f"survey {latest.period}: " + ", ".join(facts)
    return Flag(
        RiskKind.UNDER_PRESSURE,
        text,
        (Evidence(_month_start(latest.period), text, latest.source),),
    )


#: every rule, in the order flags are listed
RULES: tuple[Rule, ...] = (
    long_weeks,
    monthly_overtime,
    overtime_forecast,
    long_days,
    no_rest_streak,
    leave,
    score_decline,
    under_pressure,
)
