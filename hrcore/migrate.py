"""Schema migrations of the HR store (Alembic, shipped inside the package).

``upgrade(url)`` brings a database to the newest revision; ``current(url)`` reports where it is;
``check(url)`` lists differences between the models and the database (empty: in sync).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

import hrcore.models  # noqa: F401 - registers every table on Base.metadata
from hrcore.db import Base, make_engine
from hrcore.errors import DatabaseUnavailable, SchemaOutdated

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision id the code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:
        raise SchemaOutdated("no migrations found in the installed package")
    return revision


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    except OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}; check SHIFTGATE_DATABASE_URL"
        ) from exc
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> SchemaStatus:
    """Apply migrations up to ``revision`` (all by default). Safe to run again."""
    with _connect(url) as connection:
        with connection.begin():
            command.upgrade(_config(connection), revision)
        now = MigrationContext.configure(connection).get_current_revision()
    log.info("schema upgraded revision=%s", now)
    return SchemaStatus(current=now, head=head())


def downgrade(url: str, revision: str) -> SchemaStatus:
    """Revert migrations down to ``revision`` (``"base"``: an empty schema). Data is lost."""
    with _connect(url) as connection:
        with connection.begin():
            command.downgrade(_config(connection), revision)
        now = MigrationContext.configure(connection).get_current_revision()
    log.warning("schema downgraded revision=%s", now)
    return SchemaStatus(current=now, head=head())


def current(url: str) -> SchemaStatus:
    """Where the database is, and where the code is."""
    with _connect(url) as connection:
        now = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=now, head=head())


def check(url: str) -> list[str]:
    """Differences between the models and the database, one readable line each."""
    with _connect(url) as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": Base.metadata}
        )
        return [repr(diff) for diff in compare_metadata(context, Base.metadata)]


def require_current(url: str) -> None:
    """Raise :class:`SchemaOutdated` unless the database is at the newest revision."""
    status = current(url)
    if not status.up_to_date:
        raise SchemaOutdated(
            f"database schema is at {status.current or 'nothing (empty database)'}, "
            f"the code needs {status.head}; run `shiftgate db upgrade`"
        )
