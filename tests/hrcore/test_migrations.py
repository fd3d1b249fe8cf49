"""Migrations: after `upgrade()` the database matches the models exactly, on both backends."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Uuid, bindparam, inspect, select, text
from sqlalchemy.exc import DatabaseError

from hrcore.db import UTCDateTime, make_engine
from hrcore.errors import DatabaseUnavailable, SchemaOutdated
from hrcore.migrate import check, current, downgrade, head, require_current, upgrade
from hrcore.models import Employee, PunchRecord


def test_upgraded_database_has_no_diff_against_the_models(database_url: str) -> None:
    assert check(database_url) == []
    status = current(database_url)
    assert status.current == head()
    assert status.up_to_date
    require_current(database_url)  # does not raise


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    again = upgrade(database_url)
    assert again.current == again.head == head()
    assert check(database_url) == []


def test_check_reports_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_employees_site_id"))
        conn.execute(text("ALTER TABLE sites ADD COLUMN stray INTEGER"))
    engine.dispose()
    diffs = check(url)
    assert any("ix_employees_site_id" in d for d in diffs)
    assert any("stray" in d for d in diffs)


def test_empty_database_is_reported_outdated_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert current(url).current is None
    with pytest.raises(SchemaOutdated, match="shiftgate db upgrade"):
        require_current(url)


def test_unreachable_database_gives_a_clear_error() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://nobody:secret@127.0.0.1:{port}/hr?connect_timeout=5"
    with pytest.raises(DatabaseUnavailable, match="SHIFTGATE_DATABASE_URL") as caught:
        current(url)
    assert "secret" not in str(caught.value)


def test_audit_log_rejects_update_and_delete_in_the_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
                    "VALUES (:at, 'test', 'create', 'site', '1', '{}')"
                ),
                {"at": datetime(2025, 3, 1, tzinfo=UTC)},
            )
        for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["test"]
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(database_url: str) -> None:
    assert downgrade(database_url, "base").current is None
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert upgrade(database_url).up_to_date
    assert check(database_url) == []


def test_0002_gives_existing_punches_their_received_at_as_stored_at(database_url: str) -> None:
    downgrade(database_url, "0001")
    received = datetime(2025, 3, 1, 1, 0, 5, tzinfo=UTC)
    insert = text(
        "INSERT INTO punches (id, device_sn, device_user, local_time, at, timezone, "
        "received_at, state, verify_mode, source, raw, clock_suspect) VALUES "
        "(:id, 'SN1', '7', '2025-03-01T09:00:00+08:00', :at, 'Asia/Shanghai', "
        ":received, 'in', 'unknown', 'test', '', :suspect)"
    ).bindparams(
        bindparam("id", type_=Uuid()),
        bindparam("at", type_=UTCDateTime()),
        bindparam("received", type_=UTCDateTime()),
    )
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert,
                {
                    "id": uuid.uuid5(uuid.NAMESPACE_URL, "SN1|7|2025-03-01T09:00:00"),
                    "at": datetime(2025, 3, 1, 1, 0, tzinfo=UTC),
                    "received": received,
                    "suspect": False,
                },
            )
        assert upgrade(database_url).up_to_date
        with engine.connect() as conn:
            stored = conn.execute(select(PunchRecord.__table__.c.stored_at)).scalar_one()
        assert stored == received
    finally:
        engine.dispose()
    assert check(database_url) == []


def test_0003_leaves_existing_employees_without_personal_limits(database_url: str) -> None:
    downgrade(database_url, "0002")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sites (id, code, name, timezone, policy) "
                    "VALUES (1, 'S1', 'Site', 'Asia/Shanghai', 'cn')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO employees (id, code, name, site_id, skills, hire_date, "
                    "working_hours_system, pay_basis, base_pay) VALUES (1, 'E1', 'A', 1, "
                    "'[]', '2025-01-01', 'standard', 'monthly', 0)"
                )
            )
        assert upgrade(database_url).up_to_date
        with engine.connect() as conn:
            row = conn.execute(
                select(
                    Employee.no_nights,
                    Employee.no_overtime,
                    Employee.max_consecutive_days,
                    Employee.min_rest_minutes,
                    Employee.daily_overtime_cap_minutes,
                    Employee.monthly_overtime_cap_minutes,
                )
            ).one()
        assert tuple(row) == (False, False, None, None, None, None)
        with pytest.raises(DatabaseError), engine.begin() as conn:
            conn.execute(text("UPDATE employees SET max_consecutive_days = 0"))
    finally:
        engine.dispose()
    assert check(database_url) == []
