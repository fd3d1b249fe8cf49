"""`shiftgate import TABLE FILE --mapping M.yaml [--dry-run]`: HR data from other systems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.cli.context import (
    EXIT_BAD_INPUT,
    actor,
    fail,
    make_console,
    session_or_exit,
    settings_of,
    utc_now,
)
from gateway.errors import PeopleConfigError
from gateway.notify.people_files import load_people_config
from gateway.people.importing import MappingMismatch, run_import
from gateway.people.render import problems_table
from hrcore.people.errors import PeopleError
from hrcore.people.records import ImportTable


def import_table(
    ctx: typer.Context,
    table: Annotated[
        ImportTable, typer.Argument(help="employees, leave, courses, completions, kpis, surveys")
    ],
    file: Annotated[Path, typer.Argument(help="a .csv or .xlsx file")],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="YAML column mapping (config/people/mappings/)")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report problems only; store nothing")
    ] = False,
) -> None:
    """Import HR data: every row is checked; a file with any problem stores nothing."""
    settings = settings_of(ctx)
    try:
        people = load_people_config(settings.config_dir)
    except PeopleConfigError as exc:
        raise fail(str(exc)) from exc
    kpis = frozenset(people.scorecard.kpis) if people.scorecard is not None else None
    console = make_console()
    with session_or_exit(settings, write=True) as session:
        try:
            run = run_import(
                session,
                table,
                file,
                mapping,
                dry_run=dry_run,
                actor=actor(),
                at=utc_now(),
                kpis=kpis,
            )
        except (PeopleError, MappingMismatch) as exc:
            raise fail(str(exc)) from exc
    check = run.check
    if check.problems:
        console.print(problems_table(check.problems))
        make_console(stderr=True).print(
            f"[bold red]error:[/] {check.file}: {len(check.problems)} problem(s) in "
            f"{check.rows} row(s); nothing was stored"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if run.outcome is None:
        console.print(
            f"{check.file}: {check.rows} row(s) of {check.table.value} are valid "
            "(dry run: nothing stored)"
        )
        return
    o = run.outcome
    console.print(
        f"{check.file}: {check.table.value} {o.created} new, {o.updated} updated, "
        f"{o.unchanged} unchanged" + ("" if o.changed else " (nothing to do)")
    )
