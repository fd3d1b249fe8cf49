"""Small SVG charts drawn on the server: hours per week per person against the 50 h line,
and coverage per day and shift against the target."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING

from markupsafe import Markup

from gateway.roster.view import WEEK_HOURS_LINE

if TYPE_CHECKING:
    from gateway.api.routes.rosters import RosterOut

BAR = 14
GAP = 4
LABEL_W = 120
PLOT_W = 420


def week_chart(roster: RosterOut) -> Markup:
    """One bar per person and week; the bar turns red past the 50 h line."""
    rows = sorted(roster.weeks, key=lambda w: (w.week_start, w.employee))
    top = max([WEEK_HOURS_LINE + 10, *(w.hours for w in rows)])
    scale = PLOT_W / top
    height = len(rows) * (BAR + GAP) + 30
    parts = [
        f'<svg class="chart" role="img" width="{LABEL_W + PLOT_W + 60}" height="{height}" '
        f'aria-label="hours per week per person">'
    ]
    for i, w in enumerate(rows):
        y = i * (BAR + GAP) + 4
        over = w.hours > WEEK_HOURS_LINE
        parts.append(
            f'<text x="0" y="{y + BAR - 3}" class="lbl">{escape(w.employee)} '
            f"{w.week_start:%m-%d}</text>"
            f'<rect x="{LABEL_W}" y="{y}" width="{w.hours * scale:.1f}" height="{BAR}" '
            f'class="{"bar over" if over else "bar"}"><title>{escape(w.employee)}: '
            f"{w.hours:g} h</title></rect>"
            f'<text x="{LABEL_W + w.hours * scale + 4:.1f}" y="{y + BAR - 3}" class="val">'
            f"{w.hours:g}</text>"
        )
    x = LABEL_W + WEEK_HOURS_LINE * scale
    parts.append(
        f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" class="limit"/>'
        f'<text x="{x + 3:.1f}" y="{height - 6}" class="val">{WEEK_HOURS_LINE} h</text></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def coverage_chart(roster: RosterOut) -> Markup:
    """Per shift a row of day columns: the bar is the assigned count, the tick the target;
    red below the minimum, amber below the target, blue above the maximum."""
    by_shift: defaultdict[str, list[tuple[str, int, int | None, str]]] = defaultdict(list)
    for c in roster.coverage:
        by_shift[c.shift].append((f"{c.day:%m-%d}", c.assigned, c.target, c.state))
    top = max([1, *(max(a, t or 0) for cells in by_shift.values() for _, a, t, _ in cells)])
    col, plot_h = 34, 60
    width = LABEL_W + col * max((len(v) for v in by_shift.values()), default=1)
    height = len(by_shift) * (plot_h + 30) + 10
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        'aria-label="coverage per shift">'
    ]
    for i, (shift, cells) in enumerate(sorted(by_shift.items())):
        base = i * (plot_h + 30) + plot_h + 6
        parts.append(f'<text x="0" y="{base - plot_h / 2:.0f}" class="lbl">{escape(shift)}</text>')
        for j, (day, assigned, target, state) in enumerate(cells):
            x = LABEL_W + j * col
            h = assigned / top * plot_h
            parts.append(
                f'<rect x="{x}" y="{base - h:.1f}" width="{col - 8}" height="{h:.1f}" '
                f'class="bar {state}"><title>{escape(shift)} {day}: {assigned} / '
                f"{target if target is not None else '-'}</title></rect>"
                f'<text x="{x}" y="{base + 14}" class="val">{day[3:]}</text>'
            )
            if target is not None:
                ty = base - target / top * plot_h
                parts.append(
                    f'<line x1="{x - 2}" y1="{ty:.1f}" x2="{x + col - 6}" y2="{ty:.1f}" '
                    'class="target"/>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
