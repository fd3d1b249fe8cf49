"""`shiftgate risk ...`: burnout and overtime risk flags, with their evidence, and alerts."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gateway.cli.context import (
    actor,
    fail,
    make_console,
    parse_day,
    session_or_exit,
    settings_of,
    utc_now,
)
from gateway.errors import PeopleConfigError
from gateway.notify.people_files import PeopleConfig, load_people_config
from gateway.people.render import level_text, risk_table
from hrcore.enums import RiskLevel
from hrcore.store.people import stored_flags
from hrcore.store.risk import (
    acknowledge_alert,
    employee_id_of,
    evaluate_risk,
    list_alerts,
    list_risk,
)

app = typer.Typer(help="Risk: flags with evidence, levels, alerts.", no_args_is_help=True)


def _people(ctx: typer.Context) -> PeopleConfig:
    try:
        return load_people_config(settings_of(ctx).config_dir)
    except PeopleConfigError as exc:
        raise fail(str(exc)) from exc


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="only this site")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (today)")] = None,
) -> None:
    """Evaluate every employee now (the watcher in `shiftgate serve` does it on new punches)."""
    day = parse_day(as_of, "--as-of") if as_of is not None else utc_now().astimezone().date()
    people = _people(ctx)
    with session_or_exit(settings_of(ctx), write=True) as session:
        result = evaluate_risk(
            session,
            day,
            config=people.risk,
            clock=utc_now,
            scorecard=people.scorecard,
            site_code=site,
        )
    make_console().print(
        f"risk as of {day}: {len(result.assessments)} employee(s): "
        f"{result.count(RiskLevel.RED)} red, {result.count(RiskLevel.AMBER)} amber, "
        f"{result.count(RiskLevel.GREEN)} green; {len(result.alerts)} new alert(s)"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="only this site")] = None,
    level: Annotated[RiskLevel | None, typer.Option("--level", help="red, amber or green")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Employees by their latest level, worst first, with the signals."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        rows = list_risk(session, site_code=site, level=level)
    out = make_console()
    if as_json:
        body = [
            {
                "employee": r.employee,
                "name": r.name,
                "site": r.site,
                "level": r.level.value,
                "reason": r.reason,
                "as_of": r.as_of.isoformat(),
                "flags": [{"kind": k, "summary": s} for k, s in r.flags],
            }
            for r in rows
        ]
        out.print(json.dumps(body, indent=2), markup=False, highlight=False, soft_wrap=True)
        return
    if not rows:
        out.print("no employee evaluated (or none at that level); run `shiftgate risk evaluate`")
        return
    out.print(risk_table(rows))


@app.command("explain")
def explain(
    ctx: typer.Context,
    employee: Annotated[str, typer.Argument(help="employee code")],
) -> None:
    """The employee's level, the rule that decided it, and every fact behind each flag."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        rows = [r for r in list_risk(session) if r.employee == employee]
        flags = stored_flags(session, employee_id_of(session, employee))
    out = make_console()
    if not rows:
        out.print(f"{employee}: not evaluated yet; run `shiftgate risk evaluate`")
        return
    row = rows[0]
    out.print(level_text(row.level), f"{row.employee} as of {row.as_of}: {row.reason}")
    for f in flags:
        out.print(f"[bold]{f.kind}[/]: {f.summary}")
        for e in f.evidence:
            out.print(f"  {e}", markup=False, soft_wrap=True)


@app.command("alerts")
def alerts(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="acknowledged ones too")] = False,
) -> None:
    """Alerts raised when an employee turned red, newest first."""
    with session_or_exit(settings_of(ctx), write=False) as session:
        found = list_alerts(session, open_only=not show_all)
    out = make_console()
    if not found:
        out.print("no open alerts")
    for a in found:
        state = (
            f"acked by {a.acknowledged_by}: {a.ack_note}"
            if a.acknowledged_at
            else ("delivered" if a.delivered_at else f"not delivered ({a.attempts} tries)")
        )
        out.print(
            f"#{a.id} {a.raised_at:%Y-%m-%d %H:%M} {a.employee} {a.level.value}: {a.reason}; "
            f"{state}",
            markup=False,
        )


@app.command("ack")
def ack(
    ctx: typer.Context,
    alert: Annotated[int, typer.Argument(help="alert number (`shiftgate risk alerts`)")],
    note: Annotated[str, typer.Option("--note", help="what is done about it")],
) -> None:
    """Acknowledge an alert with a note (audited)."""
    with session_or_exit(settings_of(ctx), write=True) as session:
        done = acknowledge_alert(session, alert, actor=actor(), note=note, at=utc_now())
    make_console().print(f"alert #{done.id} ({done.employee}) acknowledged: {done.ack_note}")
