"""What every command shares: the console, the settings built once by the app callback, the
HR store, and how a command fails (a message on stderr and an exit code, never a traceback)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.errors import ConfigError
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.errors import StoreError
from hrcore.migrate import require_current

#: exit codes: bad input or configuration / the store or a device failed
EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def make_console(*, stderr: bool = False) -> Console:
    """The one place the CLI writes to the terminal."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def env_name(loc: tuple[int | str, ...]) -> str:
    """``("database_url",)`` -> ``SHIFTGATE_DATABASE_URL`` (nested keys joined with ``__``)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return prefix + "__".join(str(part) for part in loc).upper()


def load_settings(ctx: typer.Context) -> None:
    """The app callback: build :class:`Settings` once from the environment, before any
    command, so a bad value is a clear error (exit 2) instead of a traceback."""
    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        err = make_console(stderr=True)
        err.print("[red]error:[/] invalid settings in the environment:")
        for problem in exc.errors(include_url=False):
            err.print(f"  {env_name(problem['loc'])}: {problem['msg']}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc


def settings_of(ctx: typer.Context, *, config_dir: Path | None = None) -> Settings:
    """The settings the callback built; ``config_dir`` (a command's ``--config-dir``) wins."""
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):
        raise RuntimeError("shiftgate's app callback did not run: call commands through the app")
    if config_dir is not None:
        return settings.model_copy(update={"config_dir": config_dir})
    return settings


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print ``error: message`` on stderr; ``raise fail(...)`` ends the command."""
    make_console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def print_config_error(exc: ConfigError) -> None:
    err = make_console(stderr=True)
    err.print(f"[red]error:[/] {exc.path} is not valid ({len(exc.problems)} problem(s)):")
    for problem in exc.problems:
        where = problem.key or "(file)"
        err.print(f"  {exc.path}: [bold]{where}[/]: {problem.message}", markup=True)


def parse_day(value: str | None, option: str, *, needed_with: str = "") -> date:
    """A ``YYYY-MM-DD`` option, or exit 2 naming it."""
    if value is None:
        raise fail(f"{option} is required{needed_with} (a date, YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date; write YYYY-MM-DD") from None


def utc_now() -> datetime:
    return datetime.now(UTC)


def actor() -> str:
    """Who is at the keyboard, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def store(settings: Settings, *, check_schema: bool = True) -> Iterator[sessionmaker[Session]]:
    """Sessions on the HR store; the engine is disposed afterwards. ``check_schema`` first
    refuses a store whose schema is behind the code (run ``shiftgate db upgrade``)."""
    if check_schema:
        require_current(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def session_or_exit(
    settings: Settings, *, write: bool, bad_input_code: int = EXIT_BAD_INPUT
) -> Iterator[Session]:
    """One session (a transaction when ``write``); a store refusal exits ``bad_input_code``,
    a database failure exits 1 with what to do."""
    try:
        with store(settings, check_schema=False) as factory:
            if write:
                with factory.begin() as session:
                    yield session
            else:
                with factory() as session:
                    yield session
    except StoreError as exc:
        raise fail(str(exc), bad_input_code) from exc
    except SQLAlchemyError as exc:
        raise fail(
            f"HR store at {settings.database_url} failed: "
            f"{type(exc).__name__}: {exc.args[0] if exc.args else exc}; "
            "run `shiftgate db upgrade` if the schema is missing",
            EXIT_FAILED,
        ) from exc
