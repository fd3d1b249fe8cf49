"""Rich renderables of rosters and penalty reports (the CLI and the demo print them)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from hrcore.store.roster import RosterGrid
from scheduler.model import Building, InfeasibilityExplanation, PenaltyReport

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
