"""Shifts from a demand curve: how many of each allowed shift shape to run per day.

Operations know how many people they need per hour or quarter-hour (an order forecast),
not which shifts to run. Given that curve per skill and a set of allowed shapes (start,
length, unpaid breaks), `plan_shifts` chooses a count per shape, day and skill that
minimises weighted under-cover, over-cover and the number of shifts, with CP-SAT.

Time is cut into slots of the greatest common divisor of every length in the input (the
curve's steps, the shapes' starts, lengths and breaks), so an hourly curve with a 30-minute
break is planned on 30-minute slots. A shape covers a slot when its person is on site and
not on a break for the whole slot. A shape crossing midnight covers the next day's first
slots; cover past the horizon's last day is not counted (nor needed).

`plan_demand` turns a plan into the solver's shift types and demand lines, so the shifts
can then be filled with people under every rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time, timedelta

from ortools.sat.python import cp_model

from scheduler.errors import InvalidProblem
from scheduler.model import MINUTES_PER_DAY, Demand, ShiftType, SolveStatus


@dataclass(frozen=True, slots=True)
class Break:
    """An unpaid break `after` minutes from the shape's start, `minutes` long."""

    after: int
    minutes: int


@dataclass(frozen=True, slots=True)
class ShiftShape:
    """An allowed shift: starts at `start`, on site for `minutes` (breaks included)."""

    id: str
    start: time
    minutes: int
    breaks: tuple[Break, ...] = ()
    #: skills this shape may be planned for; empty: every skill of the curve
    skills: frozenset[str] = frozenset()
    night: bool = False

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def worked_minutes(self) -> int:
        return self.minutes - sum(b.minutes for b in self.breaks)

    def on_duty(self, offset: int, length: int) -> bool:
        """On site and not on a break during [offset, offset + length) from the start."""
        if offset < 0 or offset + length > self.minutes:
            return False
        return all(offset + length <= b.after or offset >= b.after + b.minutes for b in self.breaks)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """`people` with `skill` (anyone if None) wanted from `start` on `day` for `minutes`."""

    day: date
    start: time
    minutes: int
    people: int
    skill: str | None = None

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute


@dataclass(frozen=True, slots=True)
class PlanWeights:
    """Costs: per person-hour short of the curve, per person-hour over it, per shift."""

    under: int = 10
    over: int = 1
    shift: int = 2


@dataclass(frozen=True, slots=True)
class ShiftCount:
    day: date
    shape_id: str
    skill: str | None
    count: int


@dataclass(frozen=True, slots=True)
class SlotCover:
    """Wanted (`need`) and planned (`have`) people in one slot."""

    day: date
    minute: int  # from 00:00 of `day`
    skill: str | None
    need: int
    have: int


@dataclass(frozen=True, slots=True)
class ShiftPlan:
    status: SolveStatus
    slot_minutes: int
    counts: tuple[ShiftCount, ...]  # only counts > 0
    cover: tuple[SlotCover, ...]
    #: weighted cost in weight x person-minutes (shifts: weight x 60 each)
    objective: int | None
    bound: int | None

    @property
    def shifts(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def under_minutes(self) -> int:
        return sum(max(0, c.need - c.have) for c in self.cover) * self.slot_minutes

    @property
    def over_minutes(self) -> int:
        return sum(max(0, c.have - c.need) for c in self.cover) * self.slot_minutes


def slot_length(points: tuple[CurvePoint, ...], shapes: tuple[ShiftShape, ...]) -> int:
    """The longest slot every start, length and break of the input is a whole number of."""
    g = 0
    for p in points:
        g = math.gcd(g, p.start_minute, p.minutes)
    for s in shapes:
        g = math.gcd(g, s.start_minute, s.minutes)
        for b in s.breaks:
            g = math.gcd(g, b.after, b.minutes)
    return math.gcd(g, MINUTES_PER_DAY) or MINUTES_PER_DAY


def _check(
    start: date, days: int, points: tuple[CurvePoint, ...], shapes: tuple[ShiftShape, ...]
) -> None:
    if days <= 0:
        raise InvalidProblem("the plan's horizon must have at least one day")
    if not shapes:
        raise InvalidProblem("no shift shapes given; list at least one allowed shape")
    seen: set[str] = set()
    for s in shapes:
        if s.id in seen:
            raise InvalidProblem(f"duplicate shift shape id {s.id!r}; ids must be unique")
        seen.add(s.id)
        if not 0 < s.minutes <= MINUTES_PER_DAY:
            raise InvalidProblem(f"shape {s.id!r}: length {s.minutes} min must be 1..1440")
        for b in s.breaks:
            if b.minutes <= 0 or b.after <= 0 or b.after + b.minutes >= s.minutes:
                raise InvalidProblem(
                    f"shape {s.id!r}: a break {b.after}+{b.minutes} min must lie inside "
                    f"its {s.minutes} min"
                )
    end = start + timedelta(days=days)
    for p in points:
        if not start <= p.day < end:
            raise InvalidProblem(f"curve point on {p.day} is outside {start}..{end - timedelta(1)}")
        if p.people < 0 or p.minutes <= 0:
            raise InvalidProblem(f"curve point {p.day} {p.start}: negative people or length")
        if p.start_minute + p.minutes > MINUTES_PER_DAY:
            raise InvalidProblem(f"curve point {p.day} {p.start}: runs past midnight; split it")


def plan_shifts(
    start: date,
    days: int,
    points: tuple[CurvePoint, ...],
    shapes: tuple[ShiftShape, ...],
    weights: PlanWeights = PlanWeights(),
    *,
    time_limit_s: float = 10.0,
    workers: int = 8,
) -> ShiftPlan:
    """Counts of each shape per day and skill that best follow the curve."""
    _check(start, days, points, shapes)
    slot = slot_length(points, shapes)
    per_day = MINUTES_PER_DAY // slot
    n = days * per_day
    skills = sorted({p.skill for p in points}, key=lambda k: (k is not None, k or ""))
    need: dict[tuple[str | None, int], int] = {}
    for p in points:
        first = (p.day - start).days * per_day + p.start_minute // slot
        for t in range(first, first + p.minutes // slot):
            need[(p.skill, t)] = need.get((p.skill, t), 0) + p.people
    model = cp_model.CpModel()
    top = max(need.values(), default=0)
    x: dict[tuple[str | None, str, int], cp_model.IntVar] = {}
    covering: dict[tuple[str | None, int], list[cp_model.IntVar]] = {}
    for k in skills:
        for s in shapes:
            if s.skills and k not in s.skills:
                continue
            for d in range(days):
                first = d * per_day + s.start_minute // slot
                slots = [
                    first + i
                    for i in range(s.minutes // slot)
                    if first + i < n and s.on_duty(i * slot, slot)
                ]
                cap = max((need.get((k, t), 0) for t in slots), default=0)
                if cap == 0:
                    continue  # a shape over no demand only adds cost
                v = model.new_int_var(0, cap, f"n[{k},{s.id},{d}]")
                x[(k, s.id, d)] = v
                for t in slots:
                    covering.setdefault((k, t), []).append(v)
    cost: list[cp_model.LinearExprT] = []
    keys = [(k, t) for k in skills for t in range(n)]
    for key in keys:
        if key not in need and key not in covering:
            continue
        want, have = need.get(key, 0), sum(covering.get(key, []))
        under = model.new_int_var(0, want, f"under[{key}]")
        over = model.new_int_var(0, top * len(shapes), f"over[{key}]")
        model.add(have + under - over == want)
        cost += [weights.under * slot * under, weights.over * slot * over]
    cost += [weights.shift * 60 * v for v in x.values()]
    model.minimize(sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ShiftPlan(SolveStatus.UNKNOWN, slot, (), (), None, None)
    value = {key: int(solver.value(v)) for key, v in x.items()}
    counts = tuple(
        ShiftCount(start + timedelta(days=d), sid, k, c)
        for (k, sid, d), c in value.items()
        if c > 0
    )
    cover = tuple(
        SlotCover(
            start + timedelta(days=t // per_day),
            (t % per_day) * slot,
            k,
            need.get((k, t), 0),
            int(sum(solver.value(v) for v in covering.get((k, t), []))),
        )
        for k, t in keys
    )
    return ShiftPlan(
        SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE,
        slot,
        counts,
        cover,
        round(solver.objective_value),
        math.ceil(solver.best_objective_bound - 1e-6),
    )


def plan_demand(
    plan: ShiftPlan, shapes: tuple[ShiftShape, ...]
) -> tuple[tuple[ShiftType, ...], tuple[Demand, ...]]:
    """The plan as the solver's input: one shift type per shape (its worked minutes from
    its start) and a demand line per day, shape and skill asking for the planned count."""
    types = tuple(
        ShiftType(s.id, s.start, s.worked_minutes, night=s.night)
        for s in shapes
        if any(c.shape_id == s.id for c in plan.counts)
    )
    demand = tuple(
        Demand(c.day, c.shape_id, c.count, skill=c.skill, minimum=0) for c in plan.counts
    )
    return types, demand


def cover_of(
    start: date,
    days: int,
    points: tuple[CurvePoint, ...],
    shapes: tuple[ShiftShape, ...],
    counts: tuple[ShiftCount, ...],
) -> ShiftPlan:
    """The cover given counts give against the curve (a filled roster's, say), on the
    slots `plan_shifts` uses; status, objective and bound are not computed."""
    _check(start, days, points, shapes)
    slot = slot_length(points, shapes)
    per_day = MINUTES_PER_DAY // slot
    n = days * per_day
    by_id = {s.id: s for s in shapes}
    need: dict[tuple[str | None, int], int] = {}
    for p in points:
        first = (p.day - start).days * per_day + p.start_minute // slot
        for t in range(first, first + p.minutes // slot):
            need[(p.skill, t)] = need.get((p.skill, t), 0) + p.people
    have: dict[tuple[str | None, int], int] = {}
    for c in counts:
        s = by_id.get(c.shape_id)
        if s is None:
            raise InvalidProblem(f"count for unknown shape {c.shape_id!r}")
        first = (c.day - start).days * per_day + s.start_minute // slot
        for i in range(s.minutes // slot):
            if 0 <= first + i < n and s.on_duty(i * slot, slot):
                have[(c.skill, first + i)] = have.get((c.skill, first + i), 0) + c.count
    skills = sorted(
        {k for k, _ in need} | {k for k, _ in have}, key=lambda k: (k is not None, k or "")
    )
    cover = tuple(
        SlotCover(
            start + timedelta(days=t // per_day),
            (t % per_day) * slot,
            k,
            need.get((k, t), 0),
            have.get((k, t), 0),
        )
        for k in skills
        for t in range(n)
    )
    return ShiftPlan(SolveStatus.UNKNOWN, slot, counts, cover, None, None)
