"""Rich renderables of a person's profile and of the risk list (80 columns wide at most)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from hrcore.enums import RiskLevel
from hrcore.people.validation import Problem
from hrcore.risk.rules import hours
from hrcore.store.people import PersonProfile
from hrcore.store.risk import RiskRow

LEVEL_STYLE = {RiskLevel.RED: "bold red", RiskLevel.AMBER: "yellow", RiskLevel.GREEN: "green"}


def level_text(level: RiskLevel | None) -> Text:
    if level is None:
        return Text("not evaluated", style="dim")
    return Text(level.value.upper(), style=LEVEL_STYLE[level])


def problems_table(problems: tuple[Problem, ...], limit: int = 100) -> Table:
    table = Table(title="Validation report", title_justify="left")
    for column in ("file", "row", "column", "problem"):
        table.add_column(column, justify="right" if column == "row" else "left", overflow="fold")
    for p in problems[:limit]:
        table.add_row(p.file, str(p.row), p.column, p.message)
    if len(problems) > limit:
        table.add_row("", "", "", f"... and {len(problems) - limit} more")
    return table


def profile_screen(p: PersonProfile) -> RenderableType:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("employee", f"{p.code}  {p.name}")
    head.add_row("site / unit", f"{p.site} / {p.org_unit or '-'}")
    head.add_row("role", p.job_title or "-")
    left = f" (left {p.exit_date})" if p.exit_date else ""
    head.add_row("hired", f"{p.hire_date}{left}")
    head.add_row("skills", ", ".join(p.skills) or "-")
    head.add_row("risk", Text.assemble(level_text(p.level), f"  {p.reason}"))
    parts: list[RenderableType] = [head]

    weeks = Table(title="Hours by week", title_justify="left")
    for column in ("week", "from", "worked", "overtime"):
        weeks.add_column(column, justify="left" if column in ("week", "from") else "right")
    for w in p.weeks:
        weeks.add_row(w.label, str(w.monday), hours(w.worked_minutes), hours(w.overtime_minutes))
    parts.append(weeks)

    if p.leave:
        leave = Table(title="Leave (last 90 days)", title_justify="left")
        for column in ("kind", "from", "to", "days", "source"):
            leave.add_column(column, justify="right" if column == "days" else "left")
        for lv in p.leave:
            leave.add_row(
                lv.kind, str(lv.start), str(lv.end), str((lv.end - lv.start).days + 1), lv.source
            )
        parts.append(leave)
    if p.training:
        training = Table(title="Training", title_justify="left")
        for column in ("course", "done", "completed"):
            training.add_column(column, justify="right" if column == "done" else "left")
        for t in p.training:
            training.add_row(t.title, f"{t.percent.normalize():f} %", str(t.completed_on or "-"))
        parts.append(training)
    if p.scorecards:
        cards = Table(title="Scorecard (10 = on target)", title_justify="left")
        for column in ("period", "financial", "customer", "process", "learning", "points"):
            cards.add_column(column, justify="left" if column == "period" else "right")
        for card in p.scorecards:
            by = {s.perspective.value: s.percent for s in card.perspectives}
            cells = [
                f"{by[k]:.0f} %" if k in by else "-"
                for k in ("financial", "customer", "internal_process", "learning_growth")
            ]
            cards.add_row(card.period, *cells, str(card.points))
        parts.append(cards)
    if p.ladder is not None:
        pos = p.ladder
        current = f"{pos.current.code} {pos.current.title}" if pos.current else "below the first"
        line = f"ladder ({pos.role}): {current}"
        if pos.next is not None:
            line += f"; next {pos.next.code}, {pos.progress_percent:.0f} % there"
        parts.append(Text(line, style="bold"))
        parts.extend(Text(f"  missing: {m}") for m in pos.missing)
    if p.flags:
        parts.append(Text("open risk flags", style="bold"))
        for f in p.flags:
            parts.append(indented([f"{f.kind}: {f.summary}"], 2, "red"))
            parts.append(indented(list(f.evidence), 4))
    return Group(*parts)


def indented(lines: list[str], indent: int, style: str = "") -> Table:
    """Lines that wrap inside the console's width, each wrap keeping the indent."""
    grid = Table.grid(padding=(0, 0))
    grid.add_column(width=indent)
    grid.add_column(overflow="fold")
    for line in lines:
        grid.add_row("", Text(line, style=style))
    return grid


def risk_table(rows: list[RiskRow], *, limit: int | None = None) -> Table:
    table = Table(title="Risk by employee", title_justify="left")
    table.add_column("employee")
    table.add_column("level")
    table.add_column("signals", overflow="fold")
    shown = rows if limit is None else rows[:limit]
    for r in shown:
        signals = "\n".join(summary for _, summary in r.flags) or "-"
        table.add_row(f"{r.employee}\n{r.name}", level_text(r.level), signals)
    if limit is not None and len(rows) > limit:
        table.add_row(f"... {len(rows) - limit} more", "", "")
    return table
