"""Rosters by column generation and diving ("price and dive").

When no hard rule ties two people together and the soft costs are each one person's own
or one cover line's, a roster is one *row* (a column of the master problem) per person:

    minimise  sum of the chosen rows' own costs + the cover lines' under/over costs
    such that every person gets exactly one row.

The linear relaxation of that master problem over every row a person could work is a
very tight bound for rostering (the Curtois-Qu lower bounds are this bound rounded up).
Rows are generated on demand: the master LP (GLOP) prices every cover line; each
person's *pricing* problem - the cheapest row under those prices, all of the person's
hard rules holding - is, at the root, a dynamic program over the days (`row_dp`) where
their rules allow one, and a one-person CP-SAT model, built once and re-solved with new
objective coefficients, where they do not, the program cannot settle it, or the dive
re-generates rows. Once no row prices below zero the LP is optimal; the dive then fixes
the people whose LP row is (nearly) whole, or else the heaviest one, re-generates rows
for the others, and repeats until everybody has a row: a roster whose cost is usually
within a few points of the bound. When a person a step would not finish in time, a step
fixes single days instead (how the person's heaviest row spends the day, where their LP
rows agree most): the LP barely moves, where fixing several people's whole rows at once
let it climb by thousands (Curtois-Qu Instance13: a dive roster of 6,219 by people, 1,350
by days against a best known 1,348). Every pricing round also gives a Lagrangian lower
bound, valid whatever the LP's state, so a roster at that bound is proven optimal.
"""

from __future__ import annotations

import logging
import math
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Building,
    Problem,
    Roster,
    Rule,
    SolveOptions,
)
from scheduler.search import Solver, by_employee
from scheduler.search.generation import Generator
from scheduler.search.master import ENTER_BELOW, Cell, Master

log = logging.getLogger(__name__)

#: a person's LP row counts as whole from this weight on (fixed without a choice)
WHOLE = 0.99
#: share of the dive's time the root column generation may take before diving anyway
ROOT_SHARE = 0.5
#: after a fixing step of the dive, column generation stops once the LP is within this
#: share of its Lagrangian bound: the last rounds add few rows and move it by hundredths
#: (Curtois-Qu Instance8: the dive's steps took 32 s converged, 19 s with this)
TAIL_GAP = 0.003
#: column-generation rounds after each fixing step of the dive
DIVE_ROUNDS = 30
#: the dive's last people (at most this many employee-days) are solved together by
#: CP-SAT against the cover of the fixed ones: the LP's last fractional rows often have
#: no whole combination, and a joint search finds the best one
ENDGAME_CELLS = 150
#: share of the time left that the joint search of the last people may take
ENDGAME_SHARE = 0.5
#: a dive step's re-generation may take this many times its fair share of the time left
#: (the share of the free people the step fixes). Curtois-Qu Instance19 at 300 s, seeds
#: 0/1: 14.39 / 7.84 % with 2, 6.07 / 9.75 % with 1, 30.45 / 14.29 % with 3, and 11.08 %
#: on seed 0 with no cap (its first step took 100 s); Instance8 at 60 s, seeds 0/1/2:
#: 0.92 / 0.38 / 0.69 % with 2, 8.15 / 0.23 / 8.15 % with 1 (late steps cut before the LP
#: settles), 0.92 / 0.38 / 16.15 % with no cap
STEP_SHARE = 2.0
#: the dive fixes people (every whole one, else the heaviest) when its first step's time
#: allows at most this many per step; beyond, its steps fix days (see the module's notes)
PEOPLE_A_STEP = 1


@dataclass(frozen=True, slots=True)
class Dive:
    roster: Roster
    objective: int
    #: proven lower bound on every roster's objective (rounded up)
    bound: int
    root_lp: float
    columns: int
    seconds: float


def usable(problem: Problem) -> bool:
    """True when the objective splits into per-person and per-cover-line parts and no
    hard rule ties people together."""
    if not by_employee.separable(problem):
        return False
    pol = problem.policy
    return not any(pol.active(r) for r in (Rule.FAIR_NIGHTS, Rule.FAIR_WEEKENDS))


def dive(
    problem: Problem,
    solve_fn: Solver,
    *,
    deadline: float,
    seed: int = 0,
    workers: int = 8,
    threads: int = 2,
    report: Callable[[Building], None] | None = None,
    since: float | None = None,
) -> Dive | None:
    """A roster by price and dive, aiming to finish by `deadline`; None if the problem is
    not `usable` or a person has no row meeting their hard rules. `solve_fn` solves the
    dive's last people together (with `workers`). `report` hears at the start, after
    every column-generation round and at the end how many people are placed and the
    bound so far (seconds counted from the monotonic time `since`, by default the
    dive's start); an exception it raises ends the dive."""
    if not usable(problem) or not problem.employees:
        return None
    t0 = _time.monotonic()
    start = t0 if since is None else since
    people = len(problem.employees)
    if report is not None:  # the people's pricing models take a while to build
        report(Building(t0 - start, 0, people, None))
    gen = Generator(problem, seed, threads)
    if report is not None:
        gen.after_round = lambda: report(
            Building(_time.monotonic() - start, len(gen.master.fixed), people, gen.proven())
        )
    try:
        dove = _dive(gen, solve_fn, t0, deadline, workers)
    finally:
        gen.close()
    if report is not None and dove is not None:
        report(Building(_time.monotonic() - start, people, people, dove.bound))
    return dove


def _dive(
    gen: Generator, solve_fn: Solver, t0: float, deadline: float, workers: int
) -> Dive | None:
    problem, master = gen.problem, gen.master
    root_end = t0 + (deadline - t0) * ROOT_SHARE
    converged = gen.converge(10_000, root_end)
    if converged is None:
        log.info("column generation: a person has no row meeting their hard rules")
        return None
    root_lp = gen.lp or 0.0
    log.info(
        "root LP=%.2f converged=%s columns=%d bound=%.2f after %.2f s",
        root_lp,
        converged,
        sum(map(len, master.columns)),
        gen.bound,
        _time.monotonic() - t0,
    )
    people = len(problem.employees)
    gen.programs = False  # the dive prices by CP-SAT (see `Generator.programs`)
    step_seconds: list[float] = []
    joint: list[Assignment] = []
    endgame_tried = False
    by_days: bool | None = None  # how the steps fix (see PEOPLE_A_STEP)
    while len(master.fixed) < people:
        ts = _time.monotonic()
        free = [i for i in range(people) if i not in master.fixed]
        best = {i: max(enumerate(master.weights(i)), key=lambda cw: cw[1]) for i in free}
        if len(free) * problem.days <= ENDGAME_CELLS and not endgame_tried:
            endgame_tried = True
            joint = _endgame(gen, free, best, solve_fn, deadline, workers)
            if joint:
                break
        left = deadline - ts
        if left <= 0:
            for i in free:  # out of time: everybody takes their heaviest row
                master.fix(i, best[i][0])
            taken = 1.0
        else:
            per_step = sum(step_seconds[-5:]) / len(step_seconds[-5:]) if step_seconds else 0.0
            # a step's share of the time left: what it must fix of what is still free
            pace = per_step / left
            if by_days is None and step_seconds:  # decided once, on the first step's time
                by_days = pace * len(free) > PEOPLE_A_STEP
                log.info("dive fixes %s", "days" if by_days else "people")
            if by_days:  # the surest days (whole rows' too), where people are too slow
                choices = _day_choices(master, free, best, problem.days)
                sure = sum(1 for c in choices if c[0] >= WHOLE)
                k = max(sure, math.ceil(len(choices) * pace))
                _fix_days(gen, choices[:k], best)
                taken = k / len(choices)
            else:  # the whole rows, or the heaviest (more when time runs short)
                whole = [i for i in free if best[i][1] >= WHOLE]
                k = max(1, math.ceil(len(free) * pace))
                pick = whole or sorted(free, key=lambda i: -best[i][1])[:k]
                for i in pick:
                    master.fix(i, best[i][0])
                taken = len(pick) / len(free)
        if len(master.fixed) < people:
            # one slow step (Curtois-Qu Instance19, whose root is still tailing off) must
            # not use up the time of all the others
            share = left * min(1.0, STEP_SHARE * taken)
            if by_days:  # price at the fixed LP's prices: the old ones pay for rows gone
                gen.lp, gen.prices, gen.pi = master.solve()
            if gen.converge(DIVE_ROUNDS, min(deadline, ts + share), TAIL_GAP) is None:
                return None
        else:
            gen.lp, gen.prices, gen.pi = master.solve()
        step_seconds.append(_time.monotonic() - ts)
        log.debug(
            "dive step people=%d days=%d lp=%.2f",
            len(master.fixed),
            sum(map(len, master.fixed_days)),
            gen.lp or 0.0,
        )
    placed = [*_rows(gen, master.fixed), *joint]
    roster = Roster(problem.start, problem.days, tuple(placed))
    ev = evaluate(problem, roster)
    if ev.violations:  # every row meets its person's hard rules: this is a defect
        raise RuntimeError(f"dive roster breaks hard rules: {ev.violations[0].words}")
    # every penalty is >= 0, so 0 is a bound even before a whole pricing round is proven
    bound = gen.proven() or 0
    log.info(
        "dive objective=%d (LP %.2f) bound=%d columns=%d steps=%d after %.2f s",
        ev.objective,
        gen.lp or 0.0,
        bound,
        sum(map(len, master.columns)),
        len(step_seconds),
        _time.monotonic() - t0,
    )
    return Dive(
        roster,
        ev.objective,
        bound,
        root_lp,
        sum(map(len, master.columns)),
        _time.monotonic() - t0,
    )


def _day_choices(
    master: Master, free: list[int], best: dict[int, tuple[int, float]], days: int
) -> list[tuple[float, int, int, Cell | None]]:
    """(weight, person, day, how) for every free person's unfixed day: how their heaviest
    row spends it (a cell, None: off) and the LP weight of their rows that agree, heaviest
    first."""
    out: list[tuple[float, int, int, Cell | None]] = []
    for i in free:
        spent = master.columns[i][best[i][0]].by_day()
        agree = [0.0] * days
        for col, w in zip(master.columns[i], master.weights(i), strict=True):
            if w > ENTER_BELOW:
                other = col.by_day()
                for d in range(days):
                    if other.get(d) == spent.get(d):
                        agree[d] += w
        fixed = master.fixed_days[i]
        out.extend((agree[d], i, d, spent.get(d)) for d in range(days) if d not in fixed)
    out.sort(key=lambda c: -c[0])
    return out


def _fix_days(
    gen: Generator,
    choices: Sequence[tuple[float, int, int, Cell | None]],
    best: dict[int, tuple[int, float]],
) -> None:
    """Fix the chosen days in the master and the pricers; a person whose days are all
    fixed is fixed to their heaviest row (every chosen day agrees with it)."""
    by_person: dict[int, dict[int, Cell | None]] = {}
    for _w, i, d, how in choices:
        by_person.setdefault(i, {})[d] = how
    for i, days in by_person.items():
        gen.master.fix_days(i, days)
        if len(gen.master.fixed_days[i]) == gen.problem.days:
            gen.master.fix(i, best[i][0])
        else:
            gen.pricers[i].fix_days(days)


def _rows(gen: Generator, chosen: dict[int, int]) -> list[Assignment]:
    """The assignments of column `chosen[i]` of each person i."""
    p = gen.problem
    return [
        Assignment(p.employees[i].id, p.date_of(d), sid, k)
        for i, ci in chosen.items()
        for d, sid, k in gen.master.columns[i][ci].cells
    ]


def _endgame(
    gen: Generator,
    free: list[int],
    best: dict[int, tuple[int, float]],
    solve_fn: Solver,
    deadline: float,
    workers: int,
) -> list[Assignment]:
    """The last people's rows, searched together against the fixed people's cover and
    hinted with each one's heaviest LP row; [] if no rows were found in time."""
    p = gen.problem
    placed = _rows(gen, gen.master.fixed)
    hint = Roster(p.start, p.days, tuple(_rows(gen, {i: best[i][0] for i in free})))
    group = [p.employees[i].id for i in free]
    sub = by_employee.subproblem(p, group, placed, hint)
    # a roster's objective is the sub-problem's plus what the fixed rows cost alone
    fixed_cost = (
        evaluate(p, Roster(p.start, p.days, tuple(placed))).objective
        - evaluate(sub, Roster(p.start, p.days, ())).objective
    )
    budget = max(1.0, (deadline - _time.monotonic()) * ENDGAME_SHARE)
    bound = gen.proven()
    options = SolveOptions(
        time_limit_s=budget,
        workers=workers,
        explain=False,
        lns=False,
        stop_at_objective=None if bound is None else bound - fixed_cost,
    )
    res = solve_fn(sub, options)
    log.debug("dive end-game people=%d objective=%s", len(free), res.objective)
    return [] if res.roster is None else list(res.roster.assignments)
