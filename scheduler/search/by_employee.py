"""Rosters built and improved a few people at a time, against the cover the others give.

When no hard rule ties two people together (cover minimum and maximum are soft or
unused), a roster holds every hard rule exactly when each person's own row does. A
first roster can then be built group by group: each group of people is solved on its
own over the whole horizon against the *residual* demand - each line's target, minimum
and maximum less the head count the people already placed give. Under/over-cover
penalties are piecewise linear with one kink at the target, so the residual line prices
each extra person exactly as the full line would; requests and per-person rules are the
person's own. Only fairness spreads (soft) see just the group.

The same sub-problem re-solves a group of people against everybody else's fixed rows:
large-neighbourhood search by group of employees, without building the model of the
whole site - the only way to keep improving a year of 150 people on 2 cores.
"""

from __future__ import annotations

import logging
import random
import time as _time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Demand,
    Problem,
    Roster,
    Rule,
    SolveOptions,
)
from scheduler.search import Solver

log = logging.getLogger(__name__)

#: employee-days per group sub-problem while building a first roster
CONSTRUCT_CELLS = 300
#: employee-days per group re-solved by the improving search
IMPROVE_CELLS = 400
#: the smallest time a group gets (a person's row must be found even on a busy machine)
MIN_GROUP_SECONDS = 1.0


def separable(problem: Problem) -> bool:
    """True if every hard rule concerns one person only."""
    pol = problem.policy
    if pol.is_hard(Rule.COVER_MINIMUM) and any(d.minimum > 0 for d in problem.demand):
        return False
    return not (
        pol.is_hard(Rule.COVER_MAXIMUM) and any(d.maximum is not None for d in problem.demand)
    )


def residual_demand(problem: Problem, placed: Iterable[Assignment]) -> tuple[Demand, ...]:
    """Each demand line less the head count `placed` already gives it."""
    given: Counter[tuple[object, ...]] = Counter()
    for a in placed:
        given[(a.day, a.shift_id, a.skill)] += 1
        given[(a.day, a.shift_id, None)] += 1 if a.skill is not None else 0
    out = []
    for line in problem.demand:
        c = given[(line.day, line.shift_id, line.skill)]
        if c == 0:
            out.append(line)
            continue
        out.append(
            replace(
                line,
                target=max(0, line.target - c),
                minimum=max(0, line.minimum - c),
                maximum=None if line.maximum is None else max(0, line.maximum - c),
            )
        )
    return tuple(out)


def subproblem(
    problem: Problem, group: Sequence[str], others: Iterable[Assignment], hint: Roster | None
) -> Problem:
    """`problem` restricted to the people in `group`, against the cover of `others`."""
    ids = set(group)

    def mine(rows: Iterable, ids: set[str] = ids) -> tuple:
        return tuple(r for r in rows if r.employee_id in ids)

    published = problem.published
    if published is not None:
        published = replace(published, assignments=mine(published.assignments))
    return replace(
        problem,
        employees=tuple(e for e in problem.employees if e.id in ids),
        demand=residual_demand(problem, others),
        absences=mine(problem.absences),
        requests=mine(problem.requests),
        pins=mine(problem.pins),
        history=mine(problem.history),
        published=published,
        hint=hint,
        name=f"{problem.name}[{len(ids)} people]",
    )


def _options(budget: float, hard_limit: float, workers: int, seed: int) -> SolveOptions:
    """A group's solve: stop at `budget` if a roster is known, else at the first one."""
    return SolveOptions(
        time_limit_s=max(MIN_GROUP_SECONDS, hard_limit),
        workers=workers,
        seed=seed,
        explain=False,
        lns=False,
        soft_time_limit_s=max(0.0, budget),
        light_presolve=True,
    )


def construct(
    problem: Problem,
    solve_fn: Solver,
    *,
    deadline: float,
    hard_deadline: float,
    workers: int,
    seed: int,
) -> tuple[Roster, int] | None:
    """A roster meeting every hard rule and its objective, built group by group, aiming
    to finish by `deadline` (a group stops at its share of the time only once it has
    rows); None if a group's rows could not be found by `hard_deadline` (or the problem
    is not separable)."""
    if not separable(problem):
        return None
    size = max(1, CONSTRUCT_CELLS // max(1, problem.days))
    ids = [e.id for e in problem.employees]
    groups = [ids[i : i + size] for i in range(0, len(ids), size)]
    placed: list[Assignment] = []
    for i, group in enumerate(groups):
        now = _time.monotonic()
        share = (deadline - now) / (len(groups) - i)
        sub = subproblem(problem, group, placed, None)
        res = solve_fn(sub, _options(share, hard_deadline - now, workers, seed))
        if res.roster is None:
            log.info("by-employee construction failed group=%s status=%s", group, res.status)
            return None
        placed.extend(res.roster.assignments)
    roster = Roster(problem.start, problem.days, tuple(placed))
    ev = evaluate(problem, roster)
    if ev.violations:
        log.info("by-employee roster breaks %d hard rules; dropped", len(ev.violations))
        return None
    log.info("by-employee construction groups=%d objective=%d", len(groups), ev.objective)
    return roster, ev.objective


def improve(
    problem: Problem,
    roster: Roster,
    objective: int,
    solve_fn: Solver,
    *,
    deadline: float,
    workers: int,
    seed: int,
    group_size: int,
    round_seconds: float,
    on_better: Callable[[Roster, int], None],
) -> tuple[Roster, int]:
    """Re-solve random groups of people against everybody else until `deadline`. A new
    row set is kept when it prices lower than the old one in the same sub-problem."""
    rng = random.Random(seed)
    ids = [e.id for e in problem.employees]
    k = max(1, min(len(ids), group_size))
    exact = not any(problem.policy.active(r) for r in (Rule.FAIR_NIGHTS, Rule.FAIR_WEEKENDS))
    rounds = 0
    while deadline - _time.monotonic() > round_seconds / 2 and objective > 0:
        rounds += 1
        group = set(rng.sample(ids, k))
        others = [a for a in roster.assignments if a.employee_id not in group]
        old = Roster(
            problem.start,
            problem.days,
            tuple(a for a in roster.assignments if a.employee_id in group),
        )
        sub = subproblem(problem, sorted(group), others, old)
        before = evaluate(sub, old).objective
        budget = min(deadline - _time.monotonic(), round_seconds)
        res = solve_fn(sub, _options(budget, budget, workers, rng.randrange(1 << 30)))
        if res.roster is None or res.objective is None or res.objective >= before:
            continue
        trial = Roster(problem.start, problem.days, (*others, *res.roster.assignments))
        if exact:
            value = objective - (before - res.objective)
        else:  # fairness spreads are not additive over groups: price the whole roster
            value = evaluate(problem, trial).objective
            if value >= objective:
                continue
        roster, objective = trial, value
        on_better(roster, objective)
        log.info("by-employee lns improved objective=%d round=%d", objective, rounds)
    return roster, objective
