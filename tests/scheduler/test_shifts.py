"""Shifts from a demand curve: small cases with optima worked out by hand, and random
cases checked against an exhaustive search with an independent minute-by-minute cover."""

from __future__ import annotations

import itertools
import random
from datetime import date, time, timedelta

import pytest

from scheduler.errors import InvalidProblem
from scheduler.model import SolveStatus
from scheduler.shifts import (
    Break,
    CurvePoint,
    PlanWeights,
    ShiftCount,
    ShiftShape,
    cover_of,
    plan_demand,
    plan_shifts,
    slot_length,
)

DAY = date(2026, 11, 2)


def hourly(
    day: date, first: int, last: int, people: int, skill: str | None = None
) -> list[CurvePoint]:
    return [CurvePoint(day, time(h), 60, people, skill) for h in range(first, last)]


def test_two_overlapping_shapes_meet_a_peak_exactly() -> None:
    curve = hourly(DAY, 8, 12, 2) + hourly(DAY, 12, 16, 4) + hourly(DAY, 16, 20, 2)
    shapes = (ShiftShape("E", time(8), 480), ShiftShape("L", time(12), 480))
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, workers=1)
    assert plan.status == SolveStatus.OPTIMAL
    assert {(c.shape_id, c.count) for c in plan.counts} == {("E", 2), ("L", 2)}
    assert plan.under_minutes == plan.over_minutes == 0
    assert plan.objective == plan.bound == 4 * 2 * 60  # four shifts, nothing else
    peak = [c for c in plan.cover if c.minute == 13 * 60]
    assert [(c.need, c.have) for c in peak] == [(4, 4)]


def test_a_break_cuts_slots_to_half_hours_and_leaves_a_gap_cheaper_than_a_shift() -> None:
    curve = hourly(DAY, 8, 17, 1)
    shapes = (ShiftShape("D", time(8), 540, breaks=(Break(240, 30),)),)
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, PlanWeights(10, 1, 2), workers=1)
    assert plan.slot_minutes == 30
    assert [(c.shape_id, c.count) for c in plan.counts] == [("D", 1)]
    # the 12:00-12:30 break is 30 person-minutes short (300); a second D would cost
    # 120 for the shift and 510 over-covered minutes
    assert plan.under_minutes == 30
    assert plan.objective == 120 + 10 * 30
    gap = [c for c in plan.cover if c.minute == 12 * 60]
    assert [(c.need, c.have) for c in gap] == [(1, 0)]


def test_a_night_shape_covers_the_next_morning_and_nothing_past_the_horizon() -> None:
    nxt = DAY + timedelta(days=1)
    curve = hourly(DAY, 22, 24, 1) + hourly(nxt, 0, 6, 1)
    shapes = (ShiftShape("N", time(22), 480, night=True),)
    plan = plan_shifts(DAY, 2, tuple(curve), shapes, workers=1)
    assert [(c.day, c.shape_id, c.count) for c in plan.counts] == [(DAY, "N", 1)]
    assert plan.under_minutes == plan.over_minutes == 0


def test_shapes_are_planned_only_for_their_skills() -> None:
    curve = hourly(DAY, 8, 16, 2, "picker") + hourly(DAY, 8, 16, 1, "forklift")
    shapes = (
        ShiftShape("D", time(8), 480, skills=frozenset({"picker"})),
        ShiftShape("F", time(8), 480, skills=frozenset({"forklift"})),
    )
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, workers=1)
    assert {(c.shape_id, c.skill, c.count) for c in plan.counts} == {
        ("D", "picker", 2),
        ("F", "forklift", 1),
    }


def test_plan_demand_gives_the_solver_shift_types_and_demand_lines() -> None:
    curve = hourly(DAY, 8, 17, 3, "picker")
    shapes = (
        ShiftShape("D", time(8), 540, breaks=(Break(240, 60),)),
        ShiftShape("X", time(20), 240),
    )
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, PlanWeights(10, 1, 2), workers=1)
    types, demand = plan_demand(plan, shapes)
    assert [(t.id, t.start, t.minutes) for t in types] == [("D", time(8), 480)]
    assert [(d.day, d.shift_id, d.skill, d.target) for d in demand] == [(DAY, "D", "picker", 3)]


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        (ShiftShape("B", time(8), 480, breaks=(Break(470, 30),)), "must lie inside"),
        (ShiftShape("B", time(8), 0), "must be 1..1440"),
    ],
)
def test_bad_shapes_are_refused_with_what_to_fix(shape: ShiftShape, words: str) -> None:
    with pytest.raises(InvalidProblem, match=words):
        plan_shifts(DAY, 1, tuple(hourly(DAY, 8, 9, 1)), (shape,), workers=1)


def test_a_curve_point_outside_the_horizon_is_refused() -> None:
    with pytest.raises(InvalidProblem, match="outside"):
        plan_shifts(
            DAY, 1, tuple(hourly(DAY + timedelta(1), 8, 9, 1)), (ShiftShape("D", time(8), 60),)
        )


def _cost_by_minutes(
    counts: dict[str, int], curve: list[CurvePoint], shapes: tuple[ShiftShape, ...], w: PlanWeights
) -> int:
    """Cost of a one-day plan walking every minute (no slots): the independent side."""
    need = [0] * 1440
    for p in curve:
        for m in range(p.start_minute, p.start_minute + p.minutes):
            need[m] += p.people
    have = [0] * 1440
    for s in shapes:
        for off in range(s.minutes):
            m = s.start_minute + off
            if m < 1440 and s.on_duty(off, 1):
                have[m] += counts[s.id]
    under = sum(max(0, a - b) for a, b in zip(need, have, strict=True))
    over = sum(max(0, b - a) for a, b in zip(need, have, strict=True))
    return w.under * under + w.over * over + w.shift * 60 * sum(counts.values())


@pytest.mark.parametrize("seed", range(6))
def test_random_plans_match_an_exhaustive_search(seed: int) -> None:
    rng = random.Random(seed)
    curve = [
        CurvePoint(DAY, time(h, q), 15, rng.randint(0, 3))
        for h in range(6, 22)
        for q in (0, 15, 30, 45)
    ]
    shapes = tuple(
        ShiftShape(
            f"S{i}",
            time(rng.randint(5, 14), rng.choice((0, 30))),
            rng.choice((240, 360, 480)),
            breaks=(Break(120, rng.choice((15, 30))),) if rng.random() < 0.5 else (),
        )
        for i in range(3)
    )
    w = PlanWeights(under=rng.randint(2, 10), over=1, shift=rng.randint(0, 5))
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, w, workers=1)
    assert plan.status == SolveStatus.OPTIMAL
    chosen = {s.id: 0 for s in shapes} | {c.shape_id: c.count for c in plan.counts}
    assert plan.objective == _cost_by_minutes(chosen, curve, shapes, w)
    best = min(
        _cost_by_minutes(dict(zip(chosen, combo, strict=True)), curve, shapes, w)
        for combo in itertools.product(range(4), repeat=len(shapes))
    )
    assert plan.objective == best
    assert slot_length(tuple(curve), shapes) == 15


def test_cover_of_the_plan_s_own_counts_is_the_plan_s_cover() -> None:
    curve = hourly(DAY, 8, 12, 2) + hourly(DAY, 12, 16, 4) + hourly(DAY, 16, 20, 2)
    shapes = (
        ShiftShape("E", time(8), 480, breaks=(Break(240, 30),)),
        ShiftShape("L", time(12), 480),
    )
    plan = plan_shifts(DAY, 1, tuple(curve), shapes, workers=1)
    again = cover_of(DAY, 1, tuple(curve), shapes, plan.counts)
    assert again.cover == plan.cover
    assert (again.under_minutes, again.over_minutes) == (plan.under_minutes, plan.over_minutes)
    fewer = cover_of(DAY, 1, tuple(curve), shapes, (ShiftCount(DAY, "L", None, 1),))
    assert fewer.under_minutes == (2 * 4 + 3 * 4 + 1 * 4) * 60  # 08-12, 12-16, 16-20 short
