"""Warehouse roster benchmark: `python -m bench.roster_store [--seed S] [--time-limit 60]`.

Generates the seeded e-commerce warehouse site (`gateway.roster.warehouse`: 200 staff,
4 weeks, three shifts incl. nights, weekend and 11.11 peak, leave), writes it to a fresh
SQLite store, builds the problem the way `shiftgate roster solve --site` does, and rosters
it under the CN policy with the CP-SAT solver and two greedy baselines: the "spreadsheet"
one that ignores rest rules and the rule-aware one the solver starts from. Prints one
table with the same figures for all three (`scheduler.metrics`), the cuts in overtime, the
LP floor on overtime and, with --json, one JSON line per method.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from ortools.linear_solver import pywraplp

from gateway.roster.policy import load_policy
from gateway.roster.service import build_problem, with_warm_start
from gateway.roster.warehouse import PEAK_FACTOR, seed_store, warehouse_site
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from scheduler.greedy import greedy_roster
from scheduler.metrics import RosterMetrics, roster_metrics
from scheduler.model import HoursSystem, Problem, SolveOptions
from scheduler.rules.hours import block_allowance, blocks
from scheduler.solve import solve

RESCORE_MARGIN_S = 1.5
POLICY = Path(__file__).resolve().parents[1] / "config" / "policies" / "cn.yaml"

COLUMNS = (
    ("uncovered demand h", "uncovered_hours", "{:.0f}"),
    ("overtime h", "overtime_hours", "{:.0f}"),
    ("OT-cap breaches", "overtime_cap_breaches", "{}"),
    ("rest breaches", "rest_breaches", "{}"),
    ("other breaches", "other_breaches", "{}"),
    ("night spread", "night_spread", "{}"),
    ("weekend spread", "weekend_spread", "{}"),
    ("solve s", "seconds", "{:.1f}"),
)


def build(
    seed: int, employees: int, weeks: int, workdir: Path, peak_factor: float = PEAK_FACTOR
) -> Problem:
    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        data = warehouse_site(seed=seed, employees=employees, weeks=weeks, peak_factor=peak_factor)
        with factory.begin() as s:
            seed_store(s, data)
        with factory() as s:
            return build_problem(
                s,
                data.site.code,
                data.date_from,
                data.date_to,
                load_policy(POLICY),
                data.demand,
                demand_source="generated demand",
            ).problem
    finally:
        engine.dispose()


def overtime_floor_hours(problem: Problem) -> float:
    """Overtime no fully covering roster avoids, skills ignored: the demand minutes left
    once everybody's regular minutes are spread over the days as well as they can be (an
    LP over person-days).

    A person present on a day gives at most one shift's minutes (a standard one at most the
    daily regular minutes); over each of the solver's hour blocks (7-day blocks, or a
    comprehensive person's cycles) at most the block's allowance; a flexible person's
    minutes are never overtime. Any covering roster's regular minutes are such a spread, and
    the demand beyond them is worked as overtime, so this is a lower bound - as long as
    absences are hard (`unavailable` is hard in the CN policy).
    """
    pol = problem.policy
    longest = max((s.minutes for s in problem.shifts), default=0)
    absent = {(a.employee_id, problem.index_of(a.day)) for a in problem.absences}
    lp = pywraplp.Solver.CreateSolver("GLOP")
    regular_on: list[list[pywraplp.Variable]] = [[] for _ in range(problem.days)]
    for e in problem.employees:
        flexible = e.hours_system == HoursSystem.FLEXIBLE
        per_day = (
            longest
            if e.hours_system != HoursSystem.STANDARD
            else min(longest, pol.daily_regular_minutes)
        )
        mine = [
            lp.NumVar(0, 0 if (e.id, d) in absent else per_day, f"r_{e.id}_{d}")
            for d in range(problem.days)
        ]
        for d, v in enumerate(mine):
            regular_on[d].append(v)
        if not flexible:
            for block in blocks(problem, e):
                lp.Add(sum(mine[d] for d in block) <= block_allowance(problem, e, block))
    mins = {s.id: s.minutes for s in problem.shifts}
    demand = [0] * problem.days
    for (d, shift_id), heads in _head_counts(problem).items():
        demand[d] += heads * mins[shift_id]
    short = [lp.NumVar(0, lp.infinity(), f"short_{d}") for d in range(problem.days)]
    for d in range(problem.days):
        lp.Add(short[d] + sum(regular_on[d]) >= demand[d])
    lp.Minimize(sum(short))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError(f"the overtime floor LP did not solve for {problem.name}")
    return float(lp.Objective().Value()) / 60


def _head_counts(problem: Problem) -> dict[tuple[int, str], int]:
    """People needed on each (day, shift) to meet every demand line's target: a line
    without a skill counts everyone on the shift (so lines overlap), one with a skill
    only the people covering that skill, and a person covers one skill at a time."""
    anyone: dict[tuple[int, str], int] = {}
    by_skill: dict[tuple[int, str], dict[str, int]] = {}
    for line in problem.demand:
        d = problem.index_of(line.day)
        if not 0 <= d < problem.days:
            continue
        key = (d, line.shift_id)
        if line.skill is None:
            anyone[key] = max(anyone.get(key, 0), line.target)
        else:
            skills = by_skill.setdefault(key, {})
            skills[line.skill] = max(skills.get(line.skill, 0), line.target)
    return {
        key: max(anyone.get(key, 0), sum(by_skill.get(key, {}).values()))
        for key in anyone.keys() | by_skill.keys()
    }


def table(rows: list[tuple[str, RosterMetrics, float]]) -> str:
    head = ["method", *(c[0] for c in COLUMNS)]
    body = []
    for name, m, seconds in rows:
        values = {**asdict(m), "seconds": seconds}
        body.append([name, *(fmt.format(values[key]) for _t, key, fmt in COLUMNS)])
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def row(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if i else "-" * (w + 2) for i, w in enumerate(widths))
        + "|"
    )
    lines = [row(head), rule, *(row(b) for b in body)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--employees", type=int, default=200)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument(
        "--peak-factor", type=float, default=PEAK_FACTOR, help="11.11 demand multiplier"
    )
    ap.add_argument("--json", action="store_true", help="also print one JSON line per method")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        problem = build(args.seed, args.employees, args.weeks, Path(tmp), args.peak_factor)
    out = sys.stdout
    out.write(
        f"site: {len(problem.employees)} employees, {problem.days} days from "
        f"{problem.start}, {len(problem.shifts)} shifts, {len(problem.demand)} demand "
        f"lines, {len(problem.absences)} absence days, seed {args.seed}\n"
    )
    out.write(
        f"overtime no roster can avoid (regular hours spread over person-days, skills ignored): "
        f"{overtime_floor_hours(problem):.0f} h\n"
    )
    t0 = time.monotonic()
    greedy = greedy_roster(problem)
    greedy_s = time.monotonic() - t0
    t0 = time.monotonic()
    careful = greedy_roster(problem, careful=True)  # rule-aware: the solver's warm start
    careful_s = time.monotonic() - t0
    # the limit covers the whole solve: warm start, CP-SAT, re-scoring by the evaluator
    t0 = time.monotonic()
    started = with_warm_start(problem)
    left = args.time_limit - (time.monotonic() - t0) - RESCORE_MARGIN_S
    options = SolveOptions(time_limit_s=max(1.0, left), workers=args.workers, seed=args.seed)
    result = solve(started, options)
    solve_s = time.monotonic() - t0
    rows: list[tuple[str, RosterMetrics, float]] = [
        ("greedy", roster_metrics(problem, greedy), greedy_s),
        ("greedy-rules", roster_metrics(problem, careful), careful_s),
    ]
    if result.roster is not None:
        rows.append(("cp-sat", roster_metrics(problem, result.roster), solve_s))
    out.write(
        f"cp-sat: status {result.status}, objective {result.objective}, bound "
        f"{result.bound}, first roster after {result.first_solution_s} s\n"
    )
    out.write(table(rows) + "\n")
    if len(rows) == 3:
        g, r, c = (row[1] for row in rows)

        def cut(base: RosterMetrics) -> float:
            return (
                (1 - c.overtime_hours / base.overtime_hours) * 100 if base.overtime_hours else 0.0
            )

        floor = overtime_floor_hours(problem)
        out.write(
            f"overtime cut vs greedy: {cut(g):.1f} %, vs rule-aware greedy: {cut(r):.1f} %; "
            f"overtime above the unavoidable {floor:.0f} h (LP floor): greedy "
            f"{g.overtime_hours - floor:.0f} h, rule-aware {r.overtime_hours - floor:.0f} h, "
            f"cp-sat {c.overtime_hours - floor:.0f} h\n"
        )
    if args.json:
        for name, m, seconds in rows:
            out.write(
                json.dumps({"method": name, **asdict(m), "seconds": round(seconds, 2)}) + "\n"
            )
    return 0 if result.roster is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
