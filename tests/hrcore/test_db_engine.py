from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from hrcore.db import make_engine


def test_sqlite_store_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    """Every pooled connection of a SQLite store gets WAL, synchronous=FULL and foreign keys."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hr.db'}")
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
