"""`shiftgate attendance compute / explain / export` against a seeded SQLite HR store."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli.main import app
from hrcore.models import PunchStateCode
from tests.hrcore.store.attendance.seed import Store, make_store


@pytest.fixture
def db(database_url: str, session_factory: sessionmaker[Session]) -> str:
    """A seeded HR store (SQLite and PostgreSQL); returns its URL for the CLI."""
    seeded(session_factory)
    return database_url


def run(url: str, *args: str):
    env = {"SHIFTGATE_DATABASE_URL": url, "COLUMNS": "200"}
    return CliRunner().invoke(app, ["attendance", *args], env=env)


def seeded(factory: sessionmaker[Session]) -> Store:
    store = make_store(factory)
    store.punch("1", "2025-09-22T09:12:00", PunchStateCode.IN)
    store.punch("1", "2025-09-22T09:12:20", PunchStateCode.IN)
    store.punch("1", "2025-09-22T18:30:00", PunchStateCode.OUT)
    store.punch("1", "2025-09-22T02:00:00")  # outside the window
    store.punch("2", "2025-09-22T09:00:00")
    store.punch("9", "2025-09-22T09:00:00")  # device user without an employee
    return store


def test_compute_then_explain_prints_the_why_trace(db: str) -> None:
    computed = run(db, "compute", "--from", "2025-09-22", "--to", "2025-09-23", "--site", "WH1")
    assert computed.exit_code == 0, computed.output
    assert "2 employees, 5 punches, 4 days evaluated; rows inserted 4" in computed.stdout
    assert "not mapped to an employee of site WH1" in computed.stdout
    explained = run(db, "explain", "E1", "2025-09-22")
    assert explained.exit_code == 0, explained.output
    lines = explained.stdout.splitlines()
    assert "status late" in lines[0]
    assert "worked 558 min, late 12, early exit 0; overtime workday 30" in lines[1]
    trace = "\n".join(lines[3:])
    assert "02:00:00 ignored: outside every shift window" in trace
    assert "09:12:00 check-in (first punch)" in trace
    assert "09:12:20 ignored: bounce, within 60 s of the punch at 09:12:00" in trace
    assert "18:30:00 check-out (last punch)" in trace
    assert "late: check-in 12 min after start (grace 5 min)" in trace
    e2 = run(db, "explain", "E2", "2025-09-22")
    assert "status missing_checkout" in e2.stdout
    assert "missing check-out: a check-in but no check-out in the window" in e2.stdout


def test_incremental_compute_touches_nothing_when_nothing_changed(db: str) -> None:
    run(db, "compute", "--from", "2025-09-22", "--to", "2025-09-23")
    again = run(db, "compute", "--from", "2025-09-22", "--to", "2025-09-23", "--incremental")
    assert again.exit_code == 0
    assert "0 days evaluated" in again.stdout


def test_export_csv_and_xlsx(db: str, tmp_path: Path) -> None:
    run(db, "compute", "--from", "2025-09-22", "--to", "2025-09-23")
    out_csv = tmp_path / "hours.csv"
    result = run(db, "export", "--from", "2025-09-22", "--to", "2025-09-23", "--out", str(out_csv))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["employee_code"] for r in rows] == ["E1", "E2"]
    assert (
        rows[0]["worked_hours"],
        rows[0]["overtime_workday_hours"],
        rows[0]["regular_hours"],
    ) == ("9.30", "0.50", "8.80")
    assert (rows[0]["period_start"], rows[0]["period_end"]) == ("2025-09-22", "2025-09-23")
    out_xlsx = tmp_path / "hours.xlsx"
    run(db, "export", "--from", "2025-09-22", "--to", "2025-09-23", "--out", str(out_xlsx))
    sheet = load_workbook(out_xlsx)["hours"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["employee_code"] == "E1"
    assert float(first["worked_hours"]) == 9.30
    bad = run(
        db,
        "export",
        "--from",
        "2025-09-22",
        "--to",
        "2025-09-23",
        "--out",
        str(tmp_path / "hours.pdf"),
    )
    assert bad.exit_code == 2
    assert "use a .csv or .xlsx file name" in bad.stderr


def test_store_errors_are_clear(db: str, tmp_path: Path) -> None:
    missing = run(db, "explain", "E1", "2025-09-22")
    assert missing.exit_code == 2
    assert "no attendance computed for E1 on 2025-09-22" in missing.stderr
    unknown_site = run(
        db, "compute", "--from", "2025-09-22", "--to", "2025-09-22", "--site", "NOPE"
    )
    assert unknown_site.exit_code == 2 and "no site with code 'NOPE'" in unknown_site.stderr
    bad_date = run(db, "compute", "--from", "22.09.2025", "--to", "2025-09-22")
    assert bad_date.exit_code == 2 and "is not a date; write YYYY-MM-DD" in bad_date.stderr
    empty = CliRunner().invoke(
        app,
        ["attendance", "explain", "E1", "2025-09-22"],
        env={"SHIFTGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "COLUMNS": "200"},
    )
    assert empty.exit_code == 1
    assert "run `shiftgate db upgrade`" in empty.stderr
