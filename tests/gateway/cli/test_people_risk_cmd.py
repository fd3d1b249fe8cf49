"""`shiftgate import`, `people show` and `risk evaluate|list|explain|alerts|ack` on a store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from gateway.cli.main import app
from tests.hrcore.store.attendance.seed import make_store

ROOT = Path(__file__).resolve().parents[3]
MAPPINGS = {
    "leave": "table: leave\ncolumns: {employee: Emp, kind: Kind, start: From, end: To}\n",
    "surveys": "table: surveys\n"
    "columns: {employee: Emp, period: Month, under_pressure: Pressure}\n",
    "kpis": "table: kpis\ncolumns: {employee: Emp, period: Month, kpi: KPI, value: Value}\n",
}
FILES = {
    "leave": "Emp,Kind,From,To\nE1,sick,2025-09-08,2025-09-11\n",
    "surveys": "Emp,Month,Pressure\nE1,2025-09,yes\nE2,2025-09,no\n",
    "kpis": "Emp,Month,KPI,Value\nE1,2025-07,csat,4.5\nE1,2025-08,csat,4.2\nE1,2025-09,csat,3.9\n"
    "E2,2025-09,csat,4.6\n",
}


@pytest.fixture
def env(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> dict[str, str]:
    make_store(session_factory)
    config = tmp_path / "config"
    (config / "people").mkdir(parents=True)
    shutil.copy(ROOT / "config/people/scorecard.yaml", config / "people")
    shutil.copy(ROOT / "config/risk.yaml", config)
    for table, text in MAPPINGS.items():
        (tmp_path / f"{table}.yaml").write_text(text, encoding="utf-8")
        (tmp_path / f"{table}.csv").write_text(FILES[table], encoding="utf-8")
    return {
        "SHIFTGATE_DATABASE_URL": database_url,
        "SHIFTGATE_CONFIG_DIR": str(config),
        "COLUMNS": "80",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def imp(env: dict[str, str], tmp: Path, table: str, *extra: str) -> Result:
    return run(
        env,
        "import",
        table,
        str(tmp / f"{table}.csv"),
        "--mapping",
        str(tmp / f"{table}.yaml"),
        *extra,
    )


def test_a_dry_run_of_a_bad_file_reports_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "kpis.csv").write_text(
        "Emp,Month,KPI,Value\nE1,2025-09,csat,4.5\nX9,2025-09,csat,4\nE1,Sept,nps,1,5\n",
        encoding="utf-8",
    )
    result = imp({**env, "COLUMNS": "250"}, tmp_path, "kpis", "--dry-run")
    assert result.exit_code == 2, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ kpis.csv")]
    assert [[cell.strip() for cell in row.split("│")[1:-1]] for row in rows] == [
        [
            "kpis.csv",
            "3",
            "Emp",
            "unknown employee 'X9'; import it with the employees table first (or fix the code)",
        ],
        [
            "kpis.csv",
            "4",
            "(row)",
            "1 cell(s) more than the header names; a ',' inside a "
            "number? write 1200.50, not 1,200.50",
        ],
        ["kpis.csv", "4", "Month", "'Sept' is not a period; write the month as YYYY-MM"],
        [
            "kpis.csv",
            "4",
            "KPI",
            "unknown KPI 'nps'; define it in the scorecard's kpis (config/people/scorecard.yaml)",
        ],
    ]
    assert "4 problem(s) in 3 row(s); nothing was stored" in result.stderr.replace("\n", " ")
    good = run(env, "people", "show", "E1", "--as-of", "2025-09-20")
    assert good.exit_code == 0, good.output
    assert "Scorecard" not in good.stdout  # nothing stored


def test_import_evaluate_list_explain_and_ack(env: dict[str, str], tmp_path: Path) -> None:
    for table in ("leave", "surveys", "kpis"):
        dry = imp(env, tmp_path, table, "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert "(dry run: nothing stored)" in dry.stdout
        done = imp(env, tmp_path, table)
        assert done.exit_code == 0, done.output
        assert " new, 0 updated, 0 unchanged" in done.stdout
        again = imp(env, tmp_path, table)
        assert "0 new, 0 updated" in again.stdout and "(nothing to do)" in again.stdout
    evaluated = run(env, "risk", "evaluate", "--as-of", "2025-09-20")
    assert evaluated.exit_code == 0, evaluated.output
    assert "2 employee(s): 1 red, 0 amber, 1 green; 1 new alert(s)" in evaluated.stdout
    listed = run(env, "risk", "list", "--level", "red", "--json")
    body = json.loads(listed.stdout)
    assert [(r["employee"], r["reason"]) for r in body] == [("E1", "red: 3 more signals")]
    assert [f["kind"] for f in body[0]["flags"]] == ["leave", "score_decline", "under_pressure"]
    listing = run(env, "risk", "list")
    assert all(len(line) <= 80 for line in listing.stdout.splitlines())
    explained = run(env, "risk", "explain", "E1")
    assert explained.exit_code == 0, explained.output
    assert "RED E1 as of 2025-09-20: red: 3 more signals" in explained.stdout
    assert "2025-09-08: sick leave 2025-09-08..2025-09-11 (4 days in 2025-09) [leave.csv:2]" in (
        explained.stdout
    )
    assert "2025-09-01: scorecard 8.7 points [scorecard 2025-09]" in explained.stdout
    shown = run(env, "people", "show", "E1", "--as-of", "2025-09-20")
    assert shown.exit_code == 0, shown.output
    assert "RED" in shown.stdout and "Scorecard" in shown.stdout
    assert all(len(line) <= 80 for line in shown.stdout.splitlines())
    alerts = run(env, "risk", "alerts")
    assert "#1 " in alerts.stdout and "E1 red: red: 3 more signals" in alerts.stdout
    acked = run(env, "risk", "ack", "1", "--note", "called E1, leave approved")
    assert acked.exit_code == 0, acked.output
    assert "alert #1 (E1) acknowledged: called E1, leave approved" in acked.stdout
    assert "no open alerts" in run(env, "risk", "alerts").stdout
    twice = run(env, "risk", "ack", "1", "--note", "again")
    assert twice.exit_code == 2 and "was acknowledged by" in twice.stderr
