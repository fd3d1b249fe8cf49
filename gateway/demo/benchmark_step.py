"""Demo step: a public benchmark roster, solved and proven optimal.

Solves Curtois-Qu Instance3 (shipped with the tests) the way `shiftgate roster solve
--curtois` does: column generation gives a roster and a lower bound; when they meet, the
roster is proven optimal without a complete search.
"""

from __future__ import annotations

from pathlib import Path

from gateway.demo.runner import DemoContext, DemoStep
from scheduler import curtois
from scheduler.model import SolveOptions
from scheduler.solve import solve

INSTANCE = Path(__file__).resolve().parents[2] / "tests" / "data" / "curtois-qu" / "Instance3.txt"
BEST_KNOWN = 1001  # bks.csv of the benchmark
TIME_LIMIT_S = 20.0


def run_benchmark(ctx: DemoContext, instance: Path = INSTANCE) -> None:
    if not instance.is_file():
        raise FileNotFoundError(
            f"benchmark instance {instance} is missing: run the demo from a shiftgate checkout"
        )
    problem = curtois.load(instance)
    res = solve(problem, SolveOptions(time_limit_s=TIME_LIMIT_S, workers=8, explain=False))
    ctx.console.print(
        f"Curtois-Qu {instance.stem}: {problem.days} days, {len(problem.employees)} staff, "
        f"{len(problem.shifts)} shift types"
    )
    ctx.console.print(
        f"status {res.status}, objective {res.objective} (best known {BEST_KNOWN}), "
        f"lower bound {res.bound:g}, {res.seconds:.1f} s (limit {TIME_LIMIT_S:g} s)"
        if res.bound is not None
        else f"status {res.status}, objective {res.objective} (best known {BEST_KNOWN})"
    )


STEP = DemoStep("Solve a public benchmark roster (Curtois-Qu, column generation)", run_benchmark)
