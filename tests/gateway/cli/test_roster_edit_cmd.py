"""`shiftgate roster check / edit --run`: an edit breaking a block rule is refused and
nothing is written; with a manager's reason it is written and the override audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli.main import app
from hrcore.models import AuditEntry, Employee, RosterAssignment, ShiftType
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site
from hrcore.store.roster import DraftIn, StoredAssignment, save_draft_run

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "config" / "policies" / "cn.yaml"
MON, TUE, WED, SUN = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 8)
DEMAND = "base:\n  D: {picker: {target: 1}}\n  N: {picker: {target: 1}}\n"


def seed(factory: sessionmaker[Session]) -> int:
    """Three pickers; E00 works N on Monday (off 06:00 Tuesday), E01 D on Monday."""
    with factory.begin() as s:
        site = save_site(s, SiteIn("T2", "Test DC", "Asia/Shanghai"))
        d = save_shift_type(s, site, ShiftTypeIn("D", time(8), time(16)))
        n = save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6)))
        people = [
            save_employee(
                s,
                site,
                EmployeeIn(f"E{i:02d}", f"Person {i}", date(2025, 1, 1), skills=("picker",)),
            )
            for i in range(3)
        ]
        s.flush()
        return save_draft_run(
            s,
            DraftIn(
                site.id,
                "T2",
                MON,
                SUN,
                0,
                "feasible",
                (),
                (
                    StoredAssignment(people[0].id, MON, n.id, "picker"),
                    StoredAssignment(people[1].id, MON, d.id, "picker"),
                ),
            ),
            at=datetime(2026, 3, 1, tzinfo=UTC),
            actor="test",
        )


def cli(url: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    (tmp_path / "demand.yaml").write_text(DEMAND, encoding="utf-8")
    env = {"SHIFTGATE_DATABASE_URL": url, "SHIFTGATE_CONFIG_DIR": str(tmp_path)}
    res = CliRunner().invoke(
        app, [*args, "--policy", str(POLICY), "--demand", str(tmp_path / "demand.yaml")], env=env
    )
    return res.exit_code, " ".join((res.output + (res.stderr if res.stderr_bytes else "")).split())


def cell(factory: sessionmaker[Session], run: int, code: str, day: date) -> str | None:
    with factory() as s:
        return s.scalar(
            select(ShiftType.code)
            .join(RosterAssignment, RosterAssignment.shift_type_id == ShiftType.id)
            .join(Employee, Employee.id == RosterAssignment.employee_id)
            .where(
                RosterAssignment.roster_run_id == run,
                Employee.code == code,
                RosterAssignment.date == day,
            )
        )


def overrides(factory: sessionmaker[Session]) -> list[AuditEntry]:
    with factory() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "roster_override")))


def test_check_names_the_broken_rule_and_the_change_in_hours(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    run = seed(session_factory)
    code, out = cli(
        database_url, tmp_path, "roster", "check", "--run", str(run), "--change", f"E00 {TUE} D"
    )
    assert code == 1, out
    assert "the edit would be refused" in out
    assert "block min_rest: Person 0 rests only 120 min before D on Tue 03 Mar 2026" in out
    assert "E00: worked +8 h, overtime +0 h" in out
    code, out = cli(
        database_url, tmp_path, "roster", "check", "--run", str(run), "--change", f"E02 {WED} D"
    )
    assert code == 0, out
    assert "the edit would be allowed" in out
    code, out = cli(
        database_url, tmp_path, "roster", "check", "--run", str(run), "--swap", f"E00 E02 {MON}"
    )
    assert code == 0, out
    assert "E00: worked -8 h" in out and "E02: worked +8 h" in out


def test_an_edit_breaking_a_block_rule_is_refused_unless_a_reason_overrides_it(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    run = seed(session_factory)
    edit = ("roster", "edit", "--run", str(run), "--change", f"E00 {TUE} D")
    code, out = cli(database_url, tmp_path, *edit)
    assert code == 1, out
    assert "breaks 1 block rule(s): min_rest" in out and "Nothing was written" in out
    assert cell(session_factory, run, "E00", TUE) is None
    assert overrides(session_factory) == []

    code, out = cli(database_url, tmp_path, *edit, "--reason", "agreed with E00: short-staffed")
    assert code == 0, out
    assert "edit written (block rules overridden; reason audited)" in out
    assert cell(session_factory, run, "E00", TUE) == "D"
    [entry] = overrides(session_factory)
    assert entry.entity_id == str(run)
    assert entry.detail["reason"] == "agreed with E00: short-staffed"
    assert entry.detail["changes"] == [f"E00 {TUE} D"]
    assert [b["rule"] for b in entry.detail["breaks"]] == ["min_rest"]

    # an edit breaking nothing that blocks is written without a reason, and not an override
    code, out = cli(
        database_url, tmp_path, "roster", "edit", "--run", str(run), "--change", f"E01 {MON} off"
    )
    assert code == 0, out
    assert cell(session_factory, run, "E01", MON) is None
    assert len(overrides(session_factory)) == 1


def test_a_malformed_change_says_how_to_write_one(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    run = seed(session_factory)
    code, out = cli(
        database_url, tmp_path, "roster", "check", "--run", str(run), "--change", "E00 D"
    )
    assert code == 2
    assert "write EMPLOYEE DAY SHIFT [SKILL]" in out
    code, out = cli(
        database_url, tmp_path, "roster", "check", "--run", str(run), "--change", f"E09 {TUE} D"
    )
    assert code == 2
    assert "unknown employee 'E09'" in out
