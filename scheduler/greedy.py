"""Greedy rosters: the "spreadsheet" baseline, and a rule-aware variant used as a warm start.

`greedy_roster(problem)` is how a planner fills a roster by hand, kept as a benchmark foil:
day by day, each demand line (shift x skill) is filled up to its target with the
least-loaded qualified person who is available: not on leave or unavailable, not already
on a shift that day, not barred from nights. Lines with the fewest candidates go first
(a planner staffs forklifts before pickers). Load is the minutes rostered so far in the
horizon; ties go to the employee listed first. Like a spreadsheet, it does not look at
rest between shifts, runs of days, rest days or overtime: the evaluator counts what that
costs.

`greedy_roster(problem, careful=True)` also skips anyone who would break the minimum rest
after yesterday's shift, the maximum run of working days or the rest day in every window,
or the monthly overtime cap, and prefers people still under their regular week, then (for
night shifts) those with the fewest nights so far. It is a starting point for the solver
(a hint), not a roster guaranteed to hold every rule.
"""

from __future__ import annotations

from datetime import date

from scheduler.model import (
    Assignment,
    Demand,
    Employee,
    HoursSystem,
    Problem,
    Roster,
    ShiftType,
)
from scheduler.rules.limits import max_consecutive_days, monthly_overtime_cap
from scheduler.rules.rest import min_rest_minutes, rest_minutes


def _qualified(e: Employee, s: ShiftType, skill: str | None) -> bool:
    if s.skill is not None and s.skill not in e.skills:
        return False
    if s.night and e.no_nights:
        return False
    return skill is None or skill in e.skills


class _Rules:
    """What the careful variant checks, from the assignments made so far (and history)."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.shifts = {s.id: s for s in p.shifts}
        self.on: dict[tuple[str, int], str] = {
            (a.employee_id, p.index_of(a.day)): a.shift_id for a in p.history
        }
        self.month_ot: dict[tuple[str, int, int], int] = {}

    def add(self, e: Employee, d: int, shift_id: str) -> None:
        self.on[(e.id, d)] = shift_id
        if self._week_minutes(e, d) > self.p.policy.weekly_regular_minutes:
            day = self.p.date_of(d)
            key = (e.id, day.year, day.month)
            self.month_ot[key] = self.month_ot.get(key, 0) + self.shifts[shift_id].minutes

    def _week_minutes(self, e: Employee, d: int) -> int:
        first = d - d % 7
        return sum(
            self.shifts[s].minutes
            for i in range(first, d + 1)
            if (s := self.on.get((e.id, i))) is not None
        )

    def regular_left(self, e: Employee, d: int, s: ShiftType) -> bool:
        if e.hours_system == HoursSystem.FLEXIBLE:
            return True
        return self._week_minutes(e, d) + s.minutes <= self.p.policy.weekly_regular_minutes

    def allows(self, e: Employee, d: int, s: ShiftType) -> bool:
        pol = self.p.policy
        prev = self.on.get((e.id, d - 1))
        if prev is not None:
            ps = self.shifts[prev]
            if rest_minutes(ps, s, 1) < min_rest_minutes(pol, e):
                return False
            if s.id in ps.forbidden_next:
                return False
        limit = max_consecutive_days(pol, e)
        if all((e.id, d - k) in self.on for k in range(1, limit + 1)):
            return False
        window = pol.rest_window_days
        worked = sum(1 for k in range(1, window) if (e.id, d - k) in self.on)
        if worked + 1 > window - pol.min_rest_days_in_window:
            return False
        if not self.regular_left(e, d, s) and e.hours_system != HoursSystem.FLEXIBLE:
            if e.no_overtime:
                return False
            day = self.p.date_of(d)
            cap = monthly_overtime_cap(pol, e)
            if self.month_ot.get((e.id, day.year, day.month), 0) + s.minutes > cap:
                return False
        return True


def greedy_roster(problem: Problem, *, careful: bool = False) -> Roster:
    shifts = {s.id: s for s in problem.shifts}
    absent = {(a.employee_id, a.day) for a in problem.absences}
    load = {e.id: 0 for e in problem.employees}
    nights = {e.id: 0 for e in problem.employees}
    rules = _Rules(problem)
    by_day: dict[date, list[Demand]] = {}
    for line in problem.demand:
        by_day.setdefault(line.day, []).append(line)
    out: list[Assignment] = []
    for i in range(problem.days):
        day = problem.date_of(i)
        busy: set[str] = set()

        def candidates(
            line: Demand, i: int = i, day: date = day, busy: set[str] = busy
        ) -> list[Employee]:
            s = shifts[line.shift_id]
            return [
                e
                for e in problem.employees
                if e.id not in busy
                and (e.id, day) not in absent
                and _qualified(e, s, line.skill)
                and (not careful or rules.allows(e, i, s))
            ]

        lines = sorted(
            by_day.get(day, []),
            key=lambda ln: (len(candidates(ln)) - ln.target, shifts[ln.shift_id].start_minute),
        )
        for line in lines:
            s = shifts[line.shift_id]
            pool = candidates(line)
            if careful:  # regular hours first, then fewest nights (for nights), least load
                pool.sort(
                    key=lambda e: (
                        not rules.regular_left(e, i, s),
                        nights[e.id] if s.night else 0,
                        load[e.id],
                    )
                )
            else:
                pool.sort(key=lambda e: load[e.id])  # stable: file order breaks ties
            for e in pool[: line.target]:
                out.append(Assignment(e.id, day, line.shift_id, line.skill))
                busy.add(e.id)
                load[e.id] += s.minutes
                nights[e.id] += s.night
                rules.add(e, i, line.shift_id)
    return Roster(problem.start, problem.days, tuple(out))
