"""Edit-check timing: `python -m bench.roster_check [--seed S] [--edits 200]`.

Builds the seeded 200-person, 4-week warehouse problem as `bench.roster_store` does,
rosters it with the rule-aware greedy, then times `scheduler.check.check_changes` on random
single-cell edits, swaps and open-shift pickups against a full re-evaluation of the roster,
and checks that both give the same objective change. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.roster_store import build
from scheduler.check import Change, check_changes, swap
from scheduler.evaluate import evaluate
from scheduler.greedy import greedy_roster
from scheduler.model import Problem, Roster


def _edit(rng: random.Random, p: Problem, roster: Roster) -> tuple[str, tuple[Change, ...]]:
    day = p.date_of(rng.randrange(p.days))
    a, b = rng.sample([e.id for e in p.employees], 2)
    kind = rng.choice(("edit", "swap", "pickup"))
    if kind == "swap":
        return kind, swap(roster, a, b, day)
    s = rng.choice(p.shifts)
    skills: list[str | None] = [*sorted(p.employee(a).skills)] or [None]
    if kind == "pickup":  # an open shift: someone takes it on their day
        return kind, (Change(a, day, s.id, rng.choice(skills)),)
    return kind, (Change(a, day, rng.choice((None, s.id)), rng.choice(skills)),)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--edits", type=int, default=200)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        p = build(args.seed, 200, 4, Path(tmp))
    roster = greedy_roster(p, careful=True)
    base = evaluate(p, roster).objective
    rng = random.Random(args.seed)
    checks: list[float] = []
    fulls: list[float] = []
    agree = 0
    for _ in range(args.edits):
        _, changes = _edit(rng, p, roster)
        t0 = time.perf_counter()
        res = check_changes(p, roster, changes)
        checks.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        full = evaluate(p, res.roster).objective
        fulls.append((time.perf_counter() - t0) * 1000)
        agree += full - base == res.objective_delta
    checks.sort()
    out = {
        "people": len(p.employees),
        "days": p.days,
        "edits": args.edits,
        "check_ms_median": round(statistics.median(checks), 1),
        "check_ms_p95": round(checks[int(0.95 * (len(checks) - 1))], 1),
        "check_ms_max": round(checks[-1], 1),
        "full_evaluation_ms_median": round(statistics.median(fulls), 1),
        "agree_with_full_evaluation": f"{agree}/{args.edits}",
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0 if agree == args.edits else 1


if __name__ == "__main__":
    raise SystemExit(main())
