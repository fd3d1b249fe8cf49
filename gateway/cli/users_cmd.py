"""`shiftgate users ...`: users of the API and web UI: add, token, disable, list."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from gateway.auth.secrets import Passwords
from gateway.auth.service import change_password, create_user, disable, issue_token
from gateway.cli.context import actor, fail, make_console, session_or_exit, settings_of, utc_now
from hrcore.enums import Role
from hrcore.store.users import list_users

app = typer.Typer(
    help="Users of the API and web UI: add, token, password, disable, list.", no_args_is_help=True
)


def _read_password(from_stdin: bool, *, required: bool) -> str | None:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise fail("--password-stdin read an empty line; pipe the password in")
        return password
    if sys.stdin.isatty():
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    if required:
        raise fail("no password: pass --password-stdin and pipe it in, or run in a terminal")
    return None


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="API tokens only (a gateway, a script).")
    ] = False,
    site: Annotated[
        str | None,
        typer.Option("--site", help="Bind a gateway user to this site: it writes only its clocks."),
    ] = None,
) -> None:
    """Add a user. Without --no-password it asks for a password (web UI login)."""
    settings = settings_of(ctx)
    password = None if no_password else _read_password(password_stdin, required=False)
    with session_or_exit(settings, write=True) as session:
        create_user(
            session,
            Passwords(),
            username=username,
            role=role,
            password=password,
            display_name=name,
            now=utc_now(),
            actor=actor(),
            site=site,
        )
    login = "password login" if password is not None else "tokens only"
    where = f", site {site} only" if site is not None else ""
    make_console().print(f"user {username} added: role {role}, {login}{where}")


@app.command("token")
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "",
) -> None:
    """Issue an API token; it is printed once (only its SHA-256 is stored)."""
    settings = settings_of(ctx)
    with session_or_exit(settings, write=True) as session:
        issued = issue_token(session, username, name=name, now=utc_now(), actor=actor())
    err = make_console(stderr=True)
    err.print(f"token for {username} (shown once; send it as `Authorization: Bearer ...`):")
    make_console().print(issued.secret, markup=False)


@app.command("password")
def password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose password.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password."""
    settings = settings_of(ctx)
    secret = _read_password(password_stdin, required=True)
    assert secret is not None  # required
    with session_or_exit(settings, write=True) as session:
        change_password(session, Passwords(), username, secret, now=utc_now(), actor=actor())
    make_console().print(f"password of {username} changed")


@app.command("disable")
def disable_cmd(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Who.")]) -> None:
    """Disable a user: their tokens are revoked and their web sessions closed."""
    settings = settings_of(ctx)
    with session_or_exit(settings, write=True) as session:
        disable(session, username, now=utc_now(), actor=actor())
    make_console().print(f"user {username} disabled; its tokens and sessions no longer work")


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Every user, its role and how it logs in."""
    settings = settings_of(ctx)
    with session_or_exit(settings, write=False) as session:
        users = list_users(session)
    table = Table("user", "name", "role", "site", "password", "tokens", "state")
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            str(u.role),
            u.site or "",
            "yes" if u.has_password else "no",
            str(u.tokens),
            "disabled" if u.disabled else "active",
        )
    make_console().print(table)
