"""One module per constraint family; each posts its rules on a `Context`."""

from __future__ import annotations

from collections.abc import Callable

from scheduler.constraints import assignment, counts, cover, hours, sequence, wishes
from scheduler.constraints.context import Context
from scheduler.model import Problem

FAMILIES: tuple[Callable[[Context], None], ...] = (
    assignment.post_absences,
    assignment.post_pins,
    assignment.post_no_nights,
    cover.post_cover,
    sequence.post_successions,
    sequence.post_max_consecutive,
    sequence.post_min_consecutive,
    sequence.post_weekly_rest,
    counts.post_max_shifts,
    counts.post_total_minutes,
    counts.post_max_weekends,
    hours.post_overtime,
    wishes.post_requests,
    wishes.post_fairness,
    wishes.post_minimal_change,
)


def build(problem: Problem, *, explain: bool = False) -> Context:
    ctx = Context(problem, explain=explain)
    for family in FAMILIES:
        family(ctx)
    if not explain:
        ctx.model.minimize(sum(ctx.objective_terms()))
    return ctx
