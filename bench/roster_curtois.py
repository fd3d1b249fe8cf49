"""Curtois-Qu benchmark: `python -m bench.roster_curtois --instances 1-11 --time-limit 60`.

Per instance and seed prints one JSON line: objective, best known, gap %, seconds to the
first feasible roster, hard violations found by the independent evaluator (must be 0).
With several seeds (`--seeds 0,1,2`) a summary line per instance follows: median, lowest
and highest gap - multi-worker CP-SAT runs differ a lot from one run to the next.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

from scheduler.curtois import load
from scheduler.evaluate import evaluate
from scheduler.model import SolveOptions
from scheduler.solve import solve

ROOT = Path(__file__).resolve().parents[1]
#: the project keeps the 24 instances next to the repository (../shared/benchmarks/...)
DEFAULT_DATA = Path(
    os.environ.get("SHIFTGATE_CURTOIS_DIR", ROOT.parent / "shared" / "benchmarks" / "curtois-qu")
)


def parse_instances(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def best_known(data: Path) -> dict[str, int]:
    with (data / "bks.csv").open(encoding="utf-8") as fh:
        return {row["instance"]: int(row["best_known"]) for row in csv.DictReader(fh)}


def run(
    n: int, seed: int, data: Path, bks: dict[str, int], args: argparse.Namespace
) -> dict[str, object]:
    problem = load(data / f"Instance{n}.txt")
    t0 = time.monotonic()
    result = solve(
        problem,
        SolveOptions(time_limit_s=args.time_limit, workers=args.workers, seed=seed, explain=False),
    )
    wall = time.monotonic() - t0
    best = bks[f"Instance{n}"]
    row: dict[str, object] = {
        "instance": n,
        "seed": seed,
        "status": str(result.status),
        "objective": result.objective,
        "best_known": best,
        "gap_pct": None,
        "first_feasible_s": None
        if result.first_solution_s is None
        else round(result.first_solution_s, 2),
        "bound": None if result.bound is None else round(result.bound),
        "hard_violations": None,
        "seconds": round(wall, 1),
    }
    if result.roster is not None and result.objective is not None:
        ev = evaluate(problem, result.roster)
        row["hard_violations"] = len(ev.violations)
        row["evaluator_objective"] = ev.objective
        row["gap_pct"] = round(100 * (result.objective - best) / best, 2)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--instances", default="1-11")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default="", help="several seeds, e.g. 0,1,2 or 0-4")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    if not (args.data / "bks.csv").is_file():
        sys.stderr.write(
            f"Curtois-Qu data not found in {args.data} (need InstanceN.txt and bks.csv); "
            "pass --data DIR or set SHIFTGATE_CURTOIS_DIR\n"
        )
        return 2
    bks = best_known(args.data)
    seeds = parse_instances(args.seeds) if args.seeds else [args.seed]
    for n in parse_instances(args.instances):
        rows = [run(n, seed, args.data, bks, args) for seed in seeds]
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        if len(rows) > 1:
            sys.stdout.write(json.dumps(summary(n, rows)) + "\n")
        sys.stdout.flush()
    return 0


def summary(n: int, rows: list[dict[str, object]]) -> dict[str, object]:
    """Median and range of the gap over seeds; a run without a roster counts as missing."""
    gaps = [float(r["gap_pct"]) for r in rows if r["gap_pct"] is not None]  # type: ignore[arg-type]
    return {
        "instance": n,
        "runs": len(rows),
        "runs_with_roster": len(gaps),
        "gap_pct_median": round(statistics.median(gaps), 2) if gaps else None,
        "gap_pct_min": min(gaps) if gaps else None,
        "gap_pct_max": max(gaps) if gaps else None,
        "hard_violations_max": max(
            (int(r["hard_violations"]) for r in rows if r["hard_violations"] is not None),  # type: ignore[call-overload]
            default=None,
        ),
    }


if __name__ == "__main__":
    raise SystemExit(main())
