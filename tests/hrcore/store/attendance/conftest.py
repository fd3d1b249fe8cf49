"""The store fixture every attendance store test starts from."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.hrcore.store.attendance.seed import Store, make_store


@pytest.fixture
def store(session_factory: sessionmaker[Session]) -> Store:
    return make_store(session_factory)
