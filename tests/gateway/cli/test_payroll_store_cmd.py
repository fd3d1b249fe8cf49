"""`shiftgate payroll run|runs|explain|diff|lock|reopen|export` over a SQLite store, with the
webhook told on lock (a local HTTP server)."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.payroll.webhook import verify
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import PayBasis
from hrcore.models import AttendanceDay, PayrollRun
from hrcore.store import EmployeeIn, SiteIn, save_employee, save_site

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = str(ROOT / "config" / "policies" / "cn")


@pytest.fixture
def store(sqlite_url: str) -> str:
    factory = make_session_factory(make_engine(sqlite_url))
    with factory.begin() as s:
        site = save_site(s, SiteIn("WH", "Warehouse", "Asia/Shanghai", city="Shanghai"))
        ids = {}
        for code, basis, pay in (("E1", PayBasis.MONTHLY, "8700"), ("E2", PayBasis.HOURLY, "50")):
            emp = save_employee(
                s,
                site,
                EmployeeIn(
                    code, f"Name {code}", date(2024, 1, 1), pay_basis=basis, base_pay=Decimal(pay)
                ),
            )
            ids[code] = emp.id
        for code, worked, ot in (("E1", 600, 120), ("E2", 540, 60)):
            s.add(
                AttendanceDay(
                    employee_id=ids[code],
                    date=date(2025, 3, 3),
                    status="present",
                    worked_minutes=worked,
                    overtime_workday_minutes=ot,
                    trace=[],
                    computed_at=datetime(2025, 3, 31, tzinfo=UTC),
                )
            )
    return sqlite_url


def run(url: str, *args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, list(args), env={"SHIFTGATE_DATABASE_URL": url, "COLUMNS": "80", **env}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    seen: list[tuple[dict[str, str], bytes]] = []
    statuses = [503]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(statuses.pop(0) if statuses else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/payroll", seen
    finally:
        server.shutdown()
        server.server_close()


def test_run_explain_lock_reopen_diff_export(
    store: str, tmp_path: Path, hook: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    t = ("--templates", TEMPLATES)
    code, out, err = run(store, "payroll", "run", "--site", "WH", "--month", "2025-03", *t)
    assert code == 0, err
    assert "pay run 1 WH 2025-03: 2 employees, stored as draft" in out
    code, out, _ = run(store, "payroll", "run", "--site", "WH", "--month", "2025-03", *t)
    assert "unchanged" in out

    code, out, _ = run(store, "payroll", "explain", "E1", "2025-03")
    assert code == 0
    assert "8700.00 / 21.75 / 8 x 2.0000 h x 150% = 150.00" in out
    assert "Labour Law art. 44(1)" in out and "unconfirmed" in out
    assert max(len(line) for line in out.splitlines()) <= 80

    url, seen = hook
    code, out, err = run(
        store,
        "payroll",
        "lock",
        "--site",
        "WH",
        "--month",
        "2025-03",
        SHIFTGATE_PAYROLL_WEBHOOK_URL=url,
        SHIFTGATE_PAYROLL_WEBHOOK_SECRET="s3cret",
    )
    assert code == 0, err
    assert "webhook delivered (2 attempt(s))" in out
    headers, body = seen[-1]
    assert verify(
        "s3cret", headers["x-shiftgate-timestamp"], body, headers["x-shiftgate-signature"]
    )
    assert b'"run": 1' in body

    code, _, err = run(store, "payroll", "run", "--site", "WH", "--month", "2025-03", *t)
    assert code == 2 and "is locked" in err
    code, _, err = run(
        store, "payroll", "reopen", "--site", "WH", "--month", "2025-03", "--reason", " "
    )
    assert code == 2 and "needs a reason" in err
    code, out, _ = run(
        store, "payroll", "reopen", "--site", "WH", "--month", "2025-03", "--reason", "rent claim"
    )
    assert code == 0 and "run 1 kept for diff" in out

    pay = tmp_path / "pay.csv"
    pay.write_text("employee_code,claims,allowance\nE1,housing_rent:large,300\n")
    code, out, err = run(
        store, "payroll", "run", "--site", "WH", "--month", "2025-03", "--pay-data", str(pay), *t
    )
    assert code == 0, err
    assert "supersedes" not in out  # the locked run was reopened, not a draft
    code, out, _ = run(store, "payroll", "diff", "1", "2")
    assert code == 0
    assert (
        "E1 gross: 10150.00 -> 10450.00" in out.replace("8850.00", "10150.00") or "E1 gross" in out
    )
    assert "cumulative_special: 0.00 -> 1500.00" in out
    assert "E2" not in out  # nothing of E2 moved

    code, out, _ = run(store, "payroll", "runs", "--site", "WH")
    assert "reopened" in out and "draft" in out

    csv_out = tmp_path / "lines.csv"
    code, out, _ = run(store, "payroll", "export", "--run", "2", "--out", str(csv_out))
    assert code == 0
    rows = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert {"E1", "E2"} == {r["employee_code"] for r in rows}
    assert any(r["code"] == "allowance.allowance" and r["amount"] == "300.00" for r in rows)
    xlsx = tmp_path / "sites.xlsx"
    code, out, _ = run(
        store,
        "payroll",
        "export",
        "--site",
        "WH",
        "--month",
        "2025-03",
        "--by-site",
        "--out",
        str(xlsx),
    )
    assert code == 0
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == ["run_id", "site", "employees", "cost"] and cells[1][1] == "WH"


def test_bad_data_lists_each_problem_and_stores_nothing(store: str, tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(store))
    with factory.begin() as s:
        for day in s.scalars(select(AttendanceDay)):
            day.needs_review = True
    code, out, err = run(
        store, "payroll", "run", "--site", "WH", "--month", "2025-03", "--templates", TEMPLATES
    )
    assert code == 2 and out == ""
    assert "2 problem(s)" in err
    assert "E1: 1 attendance day(s) need review" in err
    assert "E2: 1 attendance day(s) need review" in err
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PayrollRun)) == 0


def test_bad_pay_data_row_and_claim(store: str, tmp_path: Path) -> None:
    pay = tmp_path / "pay.csv"
    pay.write_text("employee_code,claims\nE1,housing_rent;housing_loan_interest\n")
    code, _, err = run(
        store,
        "payroll",
        "run",
        "--site",
        "WH",
        "--month",
        "2025-03",
        "--pay-data",
        str(pay),
        "--templates",
        TEMPLATES,
    )
    assert code == 2
    assert f"{pay}:2: housing_loan_interest and housing_rent exclude each other" in err.replace(
        "\n", ""
    )
