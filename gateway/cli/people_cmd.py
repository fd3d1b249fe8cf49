"""`shiftgate people ...`: one screen per employee from every HR source."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.cli.context import (
    fail,
    make_console,
    parse_day,
    session_or_exit,
    settings_of,
    utc_now,
)
from gateway.errors import PeopleConfigError
from gateway.notify.people_files import load_people_config
from gateway.people.render import profile_screen
from hrcore.store.people import profile

app = typer.Typer(help="People: profile, scorecard, career ladder.", no_args_is_help=True)


@app.command("show")
def show(
    ctx: typer.Context,
    employee: Annotated[str, typer.Argument(help="employee code")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the date to look back from (YYYY-MM-DD)")
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=53, help="weeks of hours")] = 8,
) -> None:
    """Hire date, unit, skills, hours by week, leave, training, scorecard, ladder, flags."""
    settings = settings_of(ctx)
    day = parse_day(as_of, "--as-of") if as_of is not None else utc_now().astimezone().date()
    try:
        people = load_people_config(settings.config_dir)
    except PeopleConfigError as exc:
        raise fail(str(exc)) from exc
    with session_or_exit(settings, write=False) as session:
        found = profile(
            session,
            employee,
            as_of=day,
            weeks=weeks,
            scorecard=people.scorecard,
            ladders=people.ladders,
            course_titles=people.course_titles,
        )
    make_console().print(profile_screen(found))
