"""`shiftgate attendance evaluate` on real CSV files, exactly as issue #7 item 6 specifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli.main import app

ROSTER = """employee,date,start,end
E1,2025-09-22,09:00,18:00
E1,2025-09-23,09:00,18:00
E1,2025-09-24,09:00,18:00
E1,2025-09-25,09:00,18:00
E1,2025-09-26,09:00,18:00
E1,2025-09-28,09:00,18:00
E1,2025-10-01,09:00,18:00
E2,2025-09-22,22:00,06:00
E2,2025-09-24,09:00,18:00
"""

PUNCHES = """employee,timestamp
E1,2025-09-22T08:55:00+08:00
E1,2025-09-22T18:30:40+08:00
E1,2025-09-23T09:07:00+08:00
E1,2025-09-23T18:00:00+08:00
E1,2025-09-24T09:00:00+08:00
E1,2025-09-24T17:50:00+08:00
E1,2025-09-25T08:59:00+08:00
E1,2025-09-27T10:00:00+08:00
E1,2025-09-27T12:00:00+08:00
E1,2025-09-28T08:58:00+08:00
E1,2025-09-28T19:00:00+08:00
E1,2025-10-01T09:00:00+08:00
E1,2025-10-01T18:00:00+08:00
E1,2025-10-04T09:00:00+08:00
E1,2025-10-04T13:00:00+08:00
E1,2025-10-06T10:00:00+08:00
E1,2025-10-06T11:30:00+08:00
E2,2025-09-22T13:50:00+00:00
E2,2025-09-23T06:10:00+08:00
E2,2025-09-24T09:00:00+08:00
E2,2025-09-24T09:00:20+08:00
E2,2025-09-24T18:00:00+08:00
E2,2025-09-24T18:00:30+08:00
"""


def row(employee, day, status, worked, late=0, early=0, workday=0, restday=0, holiday=0):
    return {
        "employee": employee,
        "date": day,
        "status": status,
        "worked_minutes": worked,
        "late_minutes": late,
        "early_exit_minutes": early,
        "overtime_minutes": {"workday": workday, "restday": restday, "holiday": holiday},
    }


EXPECTED = [
    row("E1", "2025-09-22", "present", 575, workday=30),
    row("E1", "2025-09-23", "late", 533, late=7),
    row("E1", "2025-09-24", "early_exit", 530, early=10),
    row("E1", "2025-09-25", "missing_checkout", 0),
    row("E1", "2025-09-26", "absent", 0),
    row("E1", "2025-09-27", "unrostered_work", 120, restday=120),  # Saturday
    row("E1", "2025-09-28", "present", 602, workday=60),  # Sunday, adjusted working day
    row("E1", "2025-10-01", "present", 540, holiday=540),  # statutory: every minute
    row("E1", "2025-10-04", "unrostered_work", 240, restday=240),  # bridging day: 200 %
    row("E1", "2025-10-06", "unrostered_work", 90, holiday=90),  # Mid-Autumn: statutory
    row("E2", "2025-09-22", "present", 500, workday=10),  # 22:00-06:00, offset given as UTC
    row("E2", "2025-09-24", "present", 540),  # bounces collapsed
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    punches = tmp_path / "PUNCHES.csv"
    roster = tmp_path / "ROSTER.csv"
    punches.write_text(PUNCHES, encoding="utf-8")
    roster.write_text(ROSTER, encoding="utf-8")
    return punches, roster


def invoke(*args: str):
    return CliRunner().invoke(app, ["attendance", "evaluate", *args])


def test_evaluate_json_matches_the_specification(files: tuple[Path, Path]) -> None:
    punches, roster = files
    result = invoke(
        "--punches",
        str(punches),
        "--roster",
        str(roster),
        "--policy",
        "cn",
        "--tz",
        "Asia/Shanghai",
        "--grace-minutes",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == EXPECTED


def test_evaluate_defaults_and_grace_option(files: tuple[Path, Path]) -> None:
    punches, roster = files
    default = invoke("--punches", str(punches), "--roster", str(roster), "--json")
    assert json.loads(default.stdout) == EXPECTED
    lenient = invoke(
        "--punches", str(punches), "--roster", str(roster), "--grace-minutes", "10", "--json"
    )
    by_key = {(r["employee"], r["date"]): r for r in json.loads(lenient.stdout)}
    assert by_key[("E1", "2025-09-23")]["status"] == "present"
    assert by_key[("E1", "2025-09-23")]["late_minutes"] == 0
    assert by_key[("E1", "2025-09-24")]["status"] == "present"  # 10 min early, grace 10


def test_evaluate_prints_a_table_without_json(files: tuple[Path, Path]) -> None:
    punches, roster = files
    result = CliRunner().invoke(
        app,
        ["attendance", "evaluate", "--punches", str(punches), "--roster", str(roster)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0
    assert "missing_checkout" in result.stdout
    line = next(li for li in result.stdout.splitlines() if "2025-10-01" in li)
    assert [cell.strip() for cell in line.split("│")[1:-1]] == [
        "E1",
        "2025-10-01",
        "present",
        "540",
        "0",
        "0",
        "0",
        "0",
        "540",
    ]


def test_evaluate_us_flsa_policy(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    punches = tmp_path / "p.csv"
    days = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"]
    roster.write_text("employee,date,start,end\n" + "".join(f"A,{d},09:00,17:00\n" for d in days))
    punches.write_text(
        "employee,timestamp\n"
        + "".join(f"A,{d}T09:00:00-08:00\nA,{d}T18:00:00-08:00\n" for d in days)
    )
    result = invoke(
        "--punches",
        str(punches),
        "--roster",
        str(roster),
        "--policy",
        "us-flsa",
        "--tz",
        "America/Los_Angeles",
        "--json",
    )
    rows = json.loads(result.stdout)
    assert [r["worked_minutes"] for r in rows] == [540] * 5
    assert [r["overtime_minutes"]["workday"] for r in rows] == [0, 0, 0, 0, 300]


@pytest.mark.parametrize(
    ("punch_text", "roster_text", "message"),
    [
        (
            "employee,time\nE1,2025-09-22T08:55:00+08:00\n",
            ROSTER,
            "PUNCHES.csv:1: missing column(s) timestamp; the header must be employee,timestamp",
        ),
        (
            "employee,timestamp\nE1,2025-09-22T08:55:00+08:00\nE1,2025-09-22T18:00:00\n",
            ROSTER,
            "PUNCHES.csv:3: timestamp '2025-09-22T18:00:00' has no UTC offset",
        ),
        (
            "employee,timestamp\nE1,yesterday\n",
            ROSTER,
            "PUNCHES.csv:2: timestamp 'yesterday' is not ISO 8601",
        ),
        (
            "employee,timestamp\n,2025-09-22T08:55:00+08:00\n",
            ROSTER,
            "PUNCHES.csv:2: column employee is empty",
        ),
        (
            PUNCHES,
            "employee,date,start,end\nE1,2025-09-22,9:00,18:00\n",
            "ROSTER.csv:2: start '9:00' is not a local time HH:MM",
        ),
        (
            PUNCHES,
            "employee,date,start,end\nE1,2025-09-22,09:00,18:00\nE1,22/09/2025,09:00,18:00\n",
            "ROSTER.csv:3: date '22/09/2025' is not YYYY-MM-DD",
        ),
    ],
)
def test_bad_csv_is_a_clear_error_with_file_and_line(
    tmp_path: Path, punch_text: str, roster_text: str, message: str
) -> None:
    punches = tmp_path / "PUNCHES.csv"
    roster = tmp_path / "ROSTER.csv"
    punches.write_text(punch_text)
    roster.write_text(roster_text)
    result = CliRunner().invoke(
        app,
        ["attendance", "evaluate", "--punches", str(punches), "--roster", str(roster)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_bad_options_exit_2(files: tuple[Path, Path]) -> None:
    punches, roster = files
    assert (
        "not an IANA time zone"
        in invoke("--punches", str(punches), "--roster", str(roster), "--tz", "Mars/Base").stderr
    )
    bad_policy = invoke("--punches", str(punches), "--roster", str(roster), "--policy", "xx")
    assert bad_policy.exit_code == 2
    assert "no overtime policy 'xx'" in bad_policy.stderr
    missing = invoke("--punches", str(punches.parent / "nope.csv"), "--roster", str(roster))
    assert missing.exit_code == 2
    assert "cannot open" in missing.stderr


def test_overlapping_roster_rows_are_reported_not_a_crash(tmp_path: Path) -> None:
    punches = tmp_path / "p.csv"
    roster = tmp_path / "r.csv"
    punches.write_text(
        "employee,timestamp\nE1,2025-09-22T22:00:00+08:00\nE1,2025-09-23T06:00:00+08:00\n"
    )
    roster.write_text(
        "employee,date,start,end\nE1,2025-09-22,22:00,06:00\nE1,2025-09-23,05:00,13:00\n"
    )
    result = CliRunner().invoke(
        app,
        ["attendance", "evaluate", "--punches", str(punches), "--roster", str(roster), "--json"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["date"], r["status"], r["worked_minutes"]) for r in rows] == [
        ("2025-09-22", "present", 480),
        ("2025-09-23", "data_error", 0),
    ]
    assert "r.csv:3" in result.stderr and "overlaps" in result.stderr


def test_unmatched_punches_are_one_line_each_on_stderr(tmp_path: Path) -> None:
    roster = tmp_path / "ROSTER.csv"
    punches = tmp_path / "PUNCHES.csv"
    roster.write_text("employee,date,start,end\nE1,2025-09-22,09:00,18:00\n", encoding="utf-8")
    punches.write_text(
        "employee,timestamp\n"
        "E1,2025-09-22T08:55:00+08:00\n"
        "E1,2025-09-22T18:30:00+08:00\n"
        "E1,2025-09-22T02:00:00+08:00\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["attendance", "evaluate", "--punches", str(punches), "--roster", str(roster)]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "unmatched punch: employee E1 2025-09-22T02:00:00+08:00 "
        f"({punches.name}:4): outside every shift window (too early or too late for the "
        "rostered shift)"
    ]
