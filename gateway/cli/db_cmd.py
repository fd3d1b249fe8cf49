"""`shiftgate db ...`: Database schema: migrations."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from gateway.cli.context import EXIT_FAILED, fail, make_console, settings_of
from hrcore import migrate
from hrcore.errors import StoreError

app = typer.Typer(help="Database schema: migrations.", no_args_is_help=True)


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration to the HR store (SHIFTGATE_DATABASE_URL, SQLite by default)."""
    settings = settings_of(ctx)
    console = make_console()
    try:
        status = migrate.upgrade(settings.database_url)
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    console.print(
        f"database {_where(settings.database_url)} is at revision {status.current} (head)"
    )


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the code's; exit 1 when an upgrade is pending."""
    settings = settings_of(ctx)
    console = make_console()
    try:
        status = migrate.current(settings.database_url)
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    console.print(
        f"database {_where(settings.database_url)}: revision {status.current or 'none'}, "
        f"code head {status.head}"
    )
    if not status.up_to_date:
        console.print("[yellow]upgrade pending:[/] run `shiftgate db upgrade`")
        raise typer.Exit(1)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Compare the database with the models; exit 1 and list differences when they disagree."""
    settings = settings_of(ctx)
    console = make_console()
    try:
        diffs = migrate.check(settings.database_url)
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    if diffs:
        for diff in diffs:
            console.print(f"[red]differs:[/] {diff}")
        raise typer.Exit(1)
    console.print(f"database {_where(settings.database_url)} matches the models")
