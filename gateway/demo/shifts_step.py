"""Demo step: shifts from a demand curve.

Reads a Monday's forecast (pickers per quarter-hour, forklift drivers per hour) and four
allowed shift shapes from the demo data, plans how many of each shape to run, and charts
the pickers' cover per hour: the curve's need against the planned shifts.
"""

from __future__ import annotations

from pathlib import Path

from gateway.demo.runner import DemoContext, DemoStep
from gateway.roster.curve import load_curve, load_shapes
from gateway.roster.render import cover_chart, plan_table
from scheduler.shifts import plan_shifts

DATA = Path(__file__).resolve().parent / "data"
CURVE = DATA / "curve.csv"
SHAPES = DATA / "shapes.yaml"
TIME_LIMIT_S = 5.0


def run_shifts(ctx: DemoContext) -> None:
    points = load_curve(CURVE)
    shapes, weights = load_shapes(SHAPES)
    day = min(p.day for p in points)
    plan = plan_shifts(day, 1, points, shapes, weights, time_limit_s=TIME_LIMIT_S)
    ctx.console.print(
        f"{CURVE.name}: {len(points)} points on {day:%a %d %b}\nshapes: "
        + ", ".join(f"{s.id} {s.start:%H:%M} {s.minutes / 60:g}h" for s in shapes)
    )
    ctx.console.print(plan_table(plan))
    ctx.console.print(
        f"{plan.shifts} shifts ({plan.status}); short {plan.under_minutes / 60:g} "
        f"person-hours, over {plan.over_minutes / 60:g}"
    )
    for line in cover_chart(plan, day, "picker"):
        ctx.console.print(line)
    ctx.console.print(
        f"the CLI: shiftgate roster shifts --curve {CURVE.name} --shapes {SHAPES.name}"
    )


STEP = DemoStep("Shifts from a demand curve (how many of each shape to run)", run_shifts)
