from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hrcore.db import make_engine, make_session_factory


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """A migrated SQLite HR store (tests that also run on PostgreSQL use ``database_url``)."""
    return sqlite_url


@pytest.fixture
def store(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()
