"""Rich renderables of rosters and penalty reports (the CLI and the demo print them)."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from hrcore.store.roster import RosterGrid
from scheduler.model import Building, InfeasibilityExplanation, PenaltyReport
from scheduler.shifts import ShiftPlan

#: colour per shift code initial: early/day, evening/late, night
_STYLE = {"D": "green", "E": "yellow", "L": "yellow", "N": "magenta"}


def grid_table(grid: RosterGrid, *, max_rows: int | None = None) -> Table:
    table = Table(title=f"{grid.site_code}: {grid.source}", show_lines=False, pad_edge=False)
    table.add_column("employee", no_wrap=True)
    for d in grid.dates:
        table.add_column(d.strftime("%a\n%d"), justify="center", no_wrap=True)
    table.add_column("shifts", justify="right")
    rows = grid.rows if max_rows is None else grid.rows[:max_rows]
    short = skill_abbreviations({k for row in rows for k in row.skills if k})
    for row in rows:
        skills = row.skills or ("",) * len(row.cells)
        cells = [
            Text(
                f"{c} {short[k]}" if c and k else c or "·",
                style=_STYLE.get(c[:1], "") if c else "dim",
            )
            for c, k in zip(row.cells, skills, strict=True)
        ]
        table.add_row(Text(row.employee_code), *cells, str(sum(1 for c in row.cells if c)))
    notes = []
    if short:
        legend = ", ".join(f"{a} {k}" for k, a in sorted(short.items(), key=lambda ka: ka[1]))
        notes.append(f"shift and skill covered: {legend}")
    if max_rows is not None and len(grid.rows) > max_rows:
        notes.append(f"{len(grid.rows) - max_rows} more employees not shown")
    table.caption = "; ".join(notes) or None
    counts = [str(sum(1 for r in grid.rows if r.cells[i])) for i in range(len(grid.dates))]
    table.add_section()
    table.add_row("on shift", *counts, str(sum(int(c) for c in counts)))
    return table


def skill_abbreviations(skills: set[str]) -> dict[str, str]:
    """Each skill's shortest prefix (at least two letters, the same length for all) that
    tells the skills apart: picker, packer, forklift -> pi, pa, fo."""
    for n in range(2, max(map(len, skills), default=0) + 1):
        if len({k[:n] for k in skills}) == len(skills):
            return {k: k[:n] for k in skills}
    return {k: k for k in skills}


def penalty_table(report: PenaltyReport, *, top: int = 5) -> Table:
    """Cost per rule, with the costliest items of each rule in words."""
    table = Table(title=f"penalty report: total {report.total}", pad_edge=False)
    table.add_column("rule")
    table.add_column("cost", justify="right")
    table.add_column("items", justify="right")
    table.add_column("costliest")
    for rule, cost in report.by_rule():
        items = sorted((p for p in report.items if p.rule == rule), key=lambda p: -p.cost)
        worst = "; ".join(p.words for p in items[:top])
        if len(items) > top:
            worst += f"; ... ({len(items) - top} more)"
        table.add_row(str(rule), str(cost), str(len(items)), Text(worst))
    return table


def explanation_lines(explanation: InfeasibilityExplanation) -> list[str]:
    lines = ["the hard rules cannot all hold; these conflict:"]
    lines += [f"  - {c.words}" for c in explanation.conflicts]
    if not explanation.minimal:
        lines.append("  (the set may not be minimal: the search for a smaller one timed out)")
    return lines


def building_words(b: Building) -> str:
    """The first roster's construction (price and dive) in words."""
    bound = "" if b.bound is None else f", lower bound {b.bound:g}"
    return f"building the first roster: {b.placed}/{b.people} people placed{bound}"


def plan_table(plan: ShiftPlan) -> Table:
    """Planned shifts: one row per shape and skill, one column per day."""
    days = sorted({c.day for c in plan.counts})
    table = Table(title=f"shifts to run: {plan.shifts}", pad_edge=False)
    table.add_column("shift", no_wrap=True)
    for d in days:
        table.add_column(d.strftime("%a\n%d"), justify="right", no_wrap=True)
    rows = sorted({(c.shape_id, c.skill or "any") for c in plan.counts})
    at = {(c.shape_id, c.skill or "any", c.day): c.count for c in plan.counts}
    for shape, skill in rows:
        table.add_row(f"{shape} {skill}", *(str(at.get((shape, skill, d), "")) for d in days))
    return table


#: widest bar of the cover chart, in characters (a line stays within 80 columns)
CHART_WIDTH = 48


def cover_chart(plan: ShiftPlan, day: date, skill: str | None) -> list[Text]:
    """Per hour of `day`: the curve's peak need and the plan's lowest cover, as a bar.
    Full blocks are met need; light shade is need left short; dark shade is over-cover."""
    hours: dict[int, tuple[int, int]] = {}
    for c in plan.cover:
        if c.day != day or c.skill != skill:
            continue
        need, have = hours.get(c.minute // 60, (0, 1 << 30))
        hours[c.minute // 60] = (max(need, c.need), min(have, c.have))
    shown = {h: v for h, v in sorted(hours.items()) if v != (0, 0)}
    top = max((max(v) for v in shown.values()), default=1)
    scale = min(1.0, CHART_WIDTH / max(top, 1))
    lines = [Text(f"{day:%a %d %b} {skill or 'any'}: hour  need  have", style="bold")]
    for h, (need, have) in shown.items():
        met, short, over = min(need, have), max(0, need - have), max(0, have - need)
        bar = Text(f"{h:02d}:00  {need:4d}  {have:4d}  ")
        bar.append("█" * round(met * scale), style="green")
        bar.append("░" * round(short * scale), style="red")
        bar.append("▓" * round(over * scale), style="yellow")
        lines.append(bar)
    lines.append(Text("█ met  ░ short  ▓ over (per hour: peak need, lowest cover)"))
    return lines
