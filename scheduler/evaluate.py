"""Independent evaluator: re-checks every hard rule and recomputes the objective of a
roster from the problem alone, without CP-SAT. `solve` re-scores every roster with it.

Written separately from `scheduler.constraints` on purpose: it walks the roster day by
day the way a person reading the policy would, so a modelling slip in one shows up as a
disagreement with the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scheduler.model import (
    MINUTES_PER_DAY,
    Employee,
    Evaluation,
    HoursCycle,
    HoursSystem,
    Penalty,
    PenaltyReport,
    Problem,
    Roster,
    Rule,
    ShiftType,
    Violation,
)


def _d(day: date) -> str:
    return day.strftime("%a %d %b %Y")


@dataclass
class _Tally:
    p: Problem
    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    def fire(
        self,
        rule: Rule,
        amount: int,
        words: str,
        employee_id: str | None = None,
        day: date | None = None,
        shift_id: str | None = None,
    ) -> None:
        """`amount` units of a breach of `rule` (hard: a violation; soft: weight x amount)."""
        if amount <= 0:
            return
        s = self.p.policy.setting(rule)
        if s is None:
            return
        if self.p.policy.is_hard(rule):
            self.violations.append(Violation(rule, words, employee_id, day))
        elif s.weight:
            self.penalties.append(
                Penalty(rule, s.weight * amount, words, employee_id, day, shift_id)
            )

    def cost(
        self,
        rule: Rule,
        cost: int,
        words: str,
        employee_id: str | None = None,
        day: date | None = None,
        shift_id: str | None = None,
    ) -> None:
        if cost:
            self.penalties.append(Penalty(rule, cost, words, employee_id, day, shift_id))


def _skills_of_shift(p: Problem, s: ShiftType) -> set[str | None]:
    skills = {d.skill for d in p.demand if d.shift_id == s.id and d.skill}
    return set(skills) if skills else {None}


def _can_work(p: Problem, e: Employee, s: ShiftType) -> bool:
    if s.skill is not None and s.skill not in e.skills:
        return False
    return any(k is None or k in e.skills for k in _skills_of_shift(p, s))


def evaluate(p: Problem, roster: Roster) -> Evaluation:
    t = _Tally(p)
    shifts = {s.id: s for s in p.shifts}
    emps = {e.id: e for e in p.employees}
    n, hist = p.days, p.history_days
    # at[(employee, day index)] = (shift id, skill); history too
    at: dict[tuple[str, int], tuple[str, str | None]] = {}
    for a in roster.assignments:
        d = p.index_of(a.day)
        if a.employee_id not in emps or a.shift_id not in shifts or not 0 <= d < n:
            t.violations.append(
                Violation(Rule.ONE_SHIFT_PER_DAY, f"assignment {a} is outside the problem")
            )
            continue
        if (a.employee_id, d) in at:
            t.violations.append(
                Violation(
                    Rule.ONE_SHIFT_PER_DAY,
                    f"{a.employee_id} has two shifts on {_d(a.day)}",
                    a.employee_id,
                    a.day,
                )
            )
            continue
        at[(a.employee_id, d)] = (a.shift_id, a.skill)
        e, s = emps[a.employee_id], shifts[a.shift_id]
        roles = _skills_of_shift(p, s)
        if (
            (s.skill is not None and s.skill not in e.skills)
            or a.skill not in roles
            or (a.skill is not None and a.skill not in e.skills)
        ):
            t.violations.append(
                Violation(
                    Rule.SKILL,
                    f"{e.display()} lacks the skill for {s.id} on {_d(a.day)}",
                    e.id,
                    a.day,
                )
            )
    for a in p.history:
        at[(a.employee_id, p.index_of(a.day))] = (a.shift_id, a.skill)

    def shift_on(eid: str, d: int) -> str | None:
        v = at.get((eid, d))
        return v[0] if v else None

    def works(eid: str, d: int) -> bool:
        return (eid, d) in at

    _absences_pins_nights(t, p, shift_on, works)
    _cover(t, p, at)
    for e in p.employees:
        _sequences(t, p, e, shift_on, works, n, hist)
        _counts(t, p, e, shift_on, works, n)
        _hours(t, p, e, shift_on, n)
    _wishes(t, p, shift_on, works)
    return Evaluation(tuple(t.violations), PenaltyReport(tuple(t.penalties)))


def _absences_pins_nights(t: _Tally, p: Problem, shift_on, works) -> None:  # type: ignore[no-untyped-def]
    for a in p.absences:
        d = p.index_of(a.day)
        if 0 <= d < p.days and works(a.employee_id, d):
            t.fire(
                Rule.UNAVAILABLE,
                1,
                f"{a.employee_id} works on {_d(a.day)} while {a.kind}",
                a.employee_id,
                a.day,
            )
    for pin in p.pins:
        d = p.index_of(pin.day)
        if 0 <= d < p.days and shift_on(pin.employee_id, d) != pin.shift_id:
            t.violations.append(
                Violation(
                    Rule.PINNED,
                    f"{pin.employee_id} is not on the pinned "
                    f"{pin.shift_id or 'day off'} on {_d(pin.day)}",
                    pin.employee_id,
                    pin.day,
                )
            )
    nights = {s.id for s in p.shifts if s.night}
    for e in p.employees:
        if not e.has_night_bar():
            continue
        for d in range(p.days):
            sid = shift_on(e.id, d)
            if sid in nights and e.barred_from_nights(p.date_of(d)):
                t.fire(
                    Rule.NO_NIGHTS,
                    1,
                    f"{e.display()} works night shift {sid} on {_d(p.date_of(d))}",
                    e.id,
                    p.date_of(d),
                    sid,
                )


def _cover(t: _Tally, p: Problem, at: dict[tuple[str, int], tuple[str, str | None]]) -> None:
    for line in p.demand:
        d = p.index_of(line.day)
        if not 0 <= d < p.days:
            continue
        n = sum(
            1
            for e in p.employees
            if (v := at.get((e.id, d))) is not None
            and v[0] == line.shift_id
            and (line.skill is None or v[1] == line.skill)
        )
        who = f"{line.skill} staff" if line.skill else "people"
        when = f"{_d(line.day)} shift {line.shift_id}"
        t.fire(
            Rule.COVER_MINIMUM,
            line.minimum - n,
            f"{n} {who} on {when}, minimum {line.minimum}",
            day=line.day,
            shift_id=line.shift_id,
        )
        if line.maximum is not None:
            t.fire(
                Rule.COVER_MAXIMUM,
                n - line.maximum,
                f"{n} {who} on {when}, maximum {line.maximum}",
                day=line.day,
                shift_id=line.shift_id,
            )
        if n < line.target:
            t.cost(
                Rule.COVER_UNDER,
                line.under_weight * (line.target - n),
                f"{line.target - n} {who} short on {when} ({n} of {line.target})",
                day=line.day,
                shift_id=line.shift_id,
            )
        elif n > line.target:
            t.cost(
                Rule.COVER_OVER,
                line.over_weight * (n - line.target),
                f"{n - line.target} {who} over on {when} ({n} for {line.target})",
                day=line.day,
                shift_id=line.shift_id,
            )


def _sequences(
    t: _Tally,
    p: Problem,
    e: Employee,
    shift_on,
    works,
    n: int,  # type: ignore[no-untyped-def]
    hist: int,
) -> None:
    pol = p.policy
    shifts = {s.id: s for s in p.shifts}
    need = e.min_rest_minutes if e.min_rest_minutes is not None else pol.min_rest_minutes
    for d in range(-hist, n):
        a = shift_on(e.id, d)
        if a is None:
            continue
        sa = shifts[a]
        for gap in (1, 2):
            if d + gap < 0 or d + gap >= n:
                continue
            b = shift_on(e.id, d + gap)
            if b is None:
                continue
            sb = shifts[b]
            rest = gap * MINUTES_PER_DAY + sb.start_minute - sa.end_minute
            day = p.date_of(d + gap)
            if rest < 0:
                t.violations.append(
                    Violation(
                        Rule.NO_OVERLAP,
                        f"{e.display()}: {a} and {b} overlap on {_d(day)}",
                        e.id,
                        day,
                    )
                )
            elif gap == 1 and pol.active(Rule.SHIFT_SUCCESSION) and b in sa.forbidden_next:
                t.fire(
                    Rule.SHIFT_SUCCESSION,
                    1,
                    f"{e.display()} works {b} on {_d(day)} right after {a}",
                    e.id,
                    day,
                    b,
                )
            elif pol.active(Rule.MIN_REST) and rest < need:
                t.fire(
                    Rule.MIN_REST,
                    1,
                    f"{e.display()} rests only {rest} min before {b} on {_d(day)} (needs {need})",
                    e.id,
                    day,
                    b,
                )
    if pol.active(Rule.MAX_CONSECUTIVE_DAYS):
        limit = e.max_consecutive_days
        if limit is None:
            limit = pol.max_consecutive_days
        size = limit + 1
        for start in range(max(-hist, 1 - size), n - size + 1):
            if all(works(e.id, d) for d in range(start, start + size)):
                day = p.date_of(start + limit)
                t.fire(
                    Rule.MAX_CONSECUTIVE_DAYS,
                    1,
                    f"{e.display()} works {size} days in a row up to {_d(day)} (max {limit})",
                    e.id,
                    day,
                )
    for rule, off, least in (
        (Rule.MIN_CONSECUTIVE_DAYS, False, e.min_consecutive_days),
        (Rule.MIN_CONSECUTIVE_DAYS_OFF, True, e.min_consecutive_days_off),
    ):
        if not pol.active(rule) or least <= 1:
            continue

        def on(d: int, off: bool = off) -> bool:
            return works(e.id, d) != off

        what = "days off" if off else "working days"
        for length in range(1, least):
            for start in range(-hist + 1, n - length):
                if (
                    not on(start - 1)
                    and not on(start + length)
                    and all(on(d) for d in range(start, start + length))
                ):
                    day = p.date_of(start)
                    t.fire(
                        rule,
                        1,
                        f"{e.display()} has only {length} {what} in a row from "
                        f"{_d(day)} (min {least})",
                        e.id,
                        day,
                    )
    if pol.active(Rule.WEEKLY_REST):
        span, want = pol.rest_window_days, pol.min_rest_days_in_window
        for start in range(max(-hist, 1 - span), n - span + 1):
            offs = sum(1 for d in range(start, start + span) if not works(e.id, d))
            day = p.date_of(start + span - 1)
            t.fire(
                Rule.WEEKLY_REST,
                want - offs,
                f"{e.display()} has {offs} rest day(s) in "
                f"the {span} days up to {_d(day)} (needs {want})",
                e.id,
                day,
            )


def _weekends(p: Problem) -> list[list[int]]:
    weeks: dict[tuple[int, int], list[int]] = {}
    for d in range(p.days):
        day = p.date_of(d)
        if day.weekday() in (5, 6):
            y, w, _ = day.isocalendar()
            weeks.setdefault((y, w), []).append(d)
    return [weeks[k] for k in sorted(weeks)]


def _counts(t: _Tally, p: Problem, e: Employee, shift_on, works, n: int) -> None:  # type: ignore[no-untyped-def]
    mins = {s.id: s.minutes for s in p.shifts}
    worked = [shift_on(e.id, d) for d in range(n)]
    for lim in e.max_shifts:
        c = sum(1 for s in worked if s == lim.shift_id)
        t.fire(
            Rule.MAX_SHIFTS_PER_TYPE,
            c - lim.max_count,
            f"{e.display()} works {c} {lim.shift_id} shifts (max {lim.max_count})",
            e.id,
            shift_id=lim.shift_id,
        )
    total = sum(mins[s] for s in worked if s is not None)
    if e.max_total_minutes is not None:
        t.fire(
            Rule.MAX_TOTAL_MINUTES,
            total - e.max_total_minutes,
            f"{e.display()} works {total} min (max {e.max_total_minutes})",
            e.id,
        )
    t.fire(
        Rule.MIN_TOTAL_MINUTES,
        e.min_total_minutes - total,
        f"{e.display()} works {total} min (min {e.min_total_minutes})",
        e.id,
    )
    if e.max_weekends is not None:
        c = sum(1 for wk in _weekends(p) if any(works(e.id, d) for d in wk))
        t.fire(
            Rule.MAX_WEEKENDS,
            c - e.max_weekends,
            f"{e.display()} works {c} weekends (max {e.max_weekends})",
            e.id,
        )


def _hours(t: _Tally, p: Problem, e: Employee, shift_on, n: int) -> None:  # type: ignore[no-untyped-def]
    pol = p.policy
    if e.hours_system == HoursSystem.FLEXIBLE or not any(
        pol.active(r)
        for r in (
            Rule.DAILY_OVERTIME_CAP,
            Rule.MONTHLY_OVERTIME_CAP,
            Rule.NO_OVERTIME,
            Rule.OVERTIME,
        )
    ):
        return
    mins = {s.id: s.minutes for s in p.shifts}
    reg = pol.daily_regular_minutes
    std = e.hours_system == HoursSystem.STANDARD
    per_month: dict[tuple[int, int], int] = {}
    for d in range(n):
        day = p.date_of(d)
        key = (day.year, day.month)
        per_month.setdefault(key, 0)
        sid = shift_on(e.id, d)
        if std and sid is not None and mins[sid] > reg:
            extra = mins[sid] - reg
            per_month[key] += extra
            cap = (
                e.daily_overtime_cap_minutes
                if e.daily_overtime_cap_minutes is not None
                else pol.daily_overtime_cap_minutes
            )
            t.fire(
                Rule.DAILY_OVERTIME_CAP,
                extra - cap,
                f"{e.display()} works {extra} min overtime on {_d(day)} (cap {cap})",
                e.id,
                day,
                sid,
            )
    for days in _hour_blocks(p, e, n):
        worked = [mins[s] for d in days if (s := shift_on(e.id, d)) is not None]
        regular = sum(min(m, reg) for m in worked) if std else sum(worked)
        allow = (
            pol.weekly_regular_minutes if std else e.contracted_minutes_per_week * len(days) // 7
        )
        last = p.date_of(days[-1])
        per_month[(last.year, last.month)] += max(0, regular - allow)
    cap_m = (
        e.monthly_overtime_cap_minutes
        if e.monthly_overtime_cap_minutes is not None
        else pol.monthly_overtime_cap_minutes
    )
    for (y, m), ot in sorted(per_month.items()):
        t.fire(
            Rule.MONTHLY_OVERTIME_CAP,
            ot - cap_m,
            f"{e.display()} works {ot} min overtime in {y}-{m:02d} (cap {cap_m})",
            e.id,
            date(y, m, 1),
        )
    total = sum(per_month.values())
    if e.no_overtime:
        t.fire(
            Rule.NO_OVERTIME,
            total,
            f"{e.display()} works {total} min overtime (protected: none allowed)",
            e.id,
        )
    s = pol.setting(Rule.OVERTIME)
    if s is not None:
        t.cost(Rule.OVERTIME, s.weight * total, f"{e.display()} works {total} min overtime", e.id)


def _hour_blocks(p: Problem, e: Employee, n: int) -> list[range]:
    """The day ranges whose regular minutes are summed: weeks, cycles or calendar months."""
    if e.hours_system == HoursSystem.COMPREHENSIVE and e.cycle == HoursCycle.MONTH:
        months: dict[tuple[int, int], list[int]] = {}
        for d in range(n):
            months.setdefault((p.date_of(d).year, p.date_of(d).month), []).append(d)
        return [range(ds[0], ds[-1] + 1) for ds in months.values()]
    size = 7 if e.hours_system == HoursSystem.STANDARD else max(1, e.cycle_days)
    return [range(b, min(b + size, n)) for b in range(0, n, size)]


def _wishes(t: _Tally, p: Problem, shift_on, works) -> None:  # type: ignore[no-untyped-def]
    pol = p.policy
    on_s, off_s = pol.setting(Rule.SHIFT_ON_REQUEST), pol.setting(Rule.SHIFT_OFF_REQUEST)
    for r in p.requests:
        d = p.index_of(r.day)
        if not 0 <= d < p.days:
            continue
        hit = (
            works(r.employee_id, d)
            if r.shift_id is None
            else (shift_on(r.employee_id, d) == r.shift_id)
        )
        what = r.shift_id or "any shift"
        if r.want and on_s is not None and not hit:
            t.cost(
                Rule.SHIFT_ON_REQUEST,
                r.weight * on_s.weight,
                f"{r.employee_id} asked to work {what} on {_d(r.day)}",
                r.employee_id,
                r.day,
                r.shift_id,
            )
        if not r.want and off_s is not None and hit:
            t.cost(
                Rule.SHIFT_OFF_REQUEST,
                r.weight * off_s.weight,
                f"{r.employee_id} asked not to work {what} on {_d(r.day)}",
                r.employee_id,
                r.day,
                r.shift_id,
            )
    fn = pol.setting(Rule.FAIR_NIGHTS)
    if fn is not None:
        nights = [s for s in p.shifts if s.night]
        group = [
            e for e in p.employees if not e.no_nights and any(_can_work(p, e, s) for s in nights)
        ]
        ids = {s.id for s in nights}
        counts = [sum(1 for d in range(p.days) if shift_on(e.id, d) in ids) for e in group]
        if len(counts) >= 2:
            spread = max(counts) - min(counts)
            t.cost(
                Rule.FAIR_NIGHTS,
                fn.weight * spread,
                f"night shifts per person range from {min(counts)} to {max(counts)}",
            )
    fw = pol.setting(Rule.FAIR_WEEKENDS)
    if fw is not None and len(p.employees) >= 2:
        days = [d for wk in _weekends(p) for d in wk]
        counts = [sum(1 for d in days if works(e.id, d)) for e in p.employees]
        spread = max(counts) - min(counts)
        t.cost(
            Rule.FAIR_WEEKENDS,
            fw.weight * spread,
            f"weekend days worked per person range from {min(counts)} to {max(counts)}",
        )
    mc = pol.setting(Rule.MINIMAL_CHANGE)
    if mc is not None and p.published is not None:
        was = {(a.employee_id, a.day): a.shift_id for a in p.published.assignments}
        for e in p.employees:
            for d in range(p.days):
                day = p.date_of(d)
                if not p.published.covers(day):
                    continue
                old, new = was.get((e.id, day)), shift_on(e.id, d)
                if old != new:
                    t.cost(
                        Rule.MINIMAL_CHANGE,
                        mc.weight,
                        f"{e.display()} on {_d(day)}: {old or 'off'} -> {new or 'off'}",
                        e.id,
                        day,
                        new,
                    )
