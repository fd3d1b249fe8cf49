"""`shiftgate punches import`: all or nothing, --skip-bad in one transaction, no duplicates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.config.apply import apply_configuration
from gateway.config.site import load_site_config
from gateway.punches import file_import as punch_import
from hrcore.models import AuditEntry, PunchRecord, PunchStateCode
from hrcore.secrets import generate_key
from hrcore.store import get_employee

EXAMPLES = Path(__file__).resolve().parents[3] / "config"
GOOD = (
    "        1\t2025-03-03 08:59:01\t1\t0\t1\t0\n"
    "        2\t2025-03-03 21:58:40\t1\t0\t1\t0\n"
    "        1\t2025-03-03 18:03:12\t1\t1\t1\t0\n"
    "        9\t2025-03-03 18:05:00\t1\t1\t1\t0\n"
)
BAD = GOOD + "not a punch\n        2\t2025-03-04 06:0x:00\t1\t1\t1\t0\n"


@pytest.fixture
def store(database_url: str, session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_factory.begin() as s:
        # the example ISAPI terminal's password is stored encrypted
        apply_configuration(s, load_site_config(EXAMPLES), secret_key=generate_key())
    return session_factory


def run(database_url: str, *args: str) -> tuple[int, str]:
    env = {"SHIFTGATE_DATABASE_URL": database_url, "COLUMNS": "300"}
    result = CliRunner().invoke(app, ["punches", "import", *args], env=env)
    return result.exit_code, result.output


def stored(store: sessionmaker[Session]) -> int:
    with store() as s:
        return s.scalar(select(func.count()).select_from(PunchRecord)) or 0


def args(path: Path, *more: str) -> list[str]:
    return [str(path), "--site", "HZ-WH1", "--device-serial", "CKJX194960123", *more]


def test_import_then_reimport_adds_no_duplicates(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    path = tmp_path / "CKJX194960123_attlog.dat"
    path.write_text(GOOD)
    code, out = run(database_url, *args(path))
    assert code == 0, out
    assert "4 new, 0 already stored" in out
    assert "times read as Asia/Shanghai" in out
    code, out = run(database_url, *args(path))
    assert code == 0, out
    assert "0 new, 4 already stored" in out
    path.write_text(GOOD + "        2\t2025-03-04 06:01:00\t1\t1\t1\t0\n")
    assert "1 new, 4 already stored" in run(database_url, *args(path))[1]
    assert stored(store) == 5
    with store() as s:
        chen = get_employee(s, "E0001")
        rows = s.scalars(select(PunchRecord).where(PunchRecord.device_user == "1")).all()
        assert {r.employee_id for r in rows} == {chen.id}  # mapped via device_user "1"
        assert {r.device_id for r in rows} != {None}
        assert sorted(r.state for r in rows) == [PunchStateCode.IN, PunchStateCode.OUT]
        unmapped = s.scalars(select(PunchRecord).where(PunchRecord.device_user == "9")).one()
        assert unmapped.employee_id is None
        assert unmapped.at == datetime(2025, 3, 3, 10, 5, tzinfo=UTC)
        audit = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [a.detail["new"] for a in audit] == [4, 0, 1]


def test_bad_lines_stop_the_import_and_are_listed(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(BAD)
    code, out = run(database_url, *args(path))
    assert code == 1
    assert f"{path}:5: expected TAB-separated" in out
    assert f"{path}:6: time '2025-03-04 06:0x:00' is not a valid" in out
    assert "nothing imported: 2 malformed line(s)" in out
    assert stored(store) == 0


def test_skip_bad_imports_the_good_lines(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(BAD)
    code, out = run(database_url, *args(path, "--skip-bad"))
    assert code == 0, out
    assert "4 new, 0 already stored (2 bad line(s) skipped)" in out
    assert f"{path}:5:" in out
    assert stored(store) == 4


def test_skip_bad_import_is_one_transaction(
    tmp_path: Path,
    database_url: str,
    store: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail_after_insert(*_args: object) -> None:
        raise punch_import.InvalidData("audit log unavailable")

    monkeypatch.setattr(punch_import, "record_audit", fail_after_insert)
    path = tmp_path / "attlog.dat"
    path.write_text(BAD)
    code, out = run(database_url, *args(path, "--skip-bad"))
    assert code == 1
    assert "audit log unavailable" in out
    assert stored(store) == 0  # the inserted punches were rolled back with it


def test_csv_import_with_a_mapping_file_and_explicit_zone(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Employee ID;Punch Time;Status\n1;2025-03-03 09:00;Check In\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "user: Employee ID\ntimestamp: Punch Time\nstate: Status\ndelimiter: ';'\n"
        "timestamp_format: '%Y-%m-%d %H:%M'\n"
    )
    code, out = run(database_url, *args(path, "--csv-mapping", str(mapping), "--tz", "UTC"))
    assert code == 0, out
    assert "1 new" in out
    with store() as s:
        row = s.scalars(select(PunchRecord)).one()
        assert (row.at, row.state, row.timezone) == (
            datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
            PunchStateCode.IN,
            "UTC",
        )


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--site", "NOPE"], 1, "site 'NOPE' does not exist"),
        (["--tz", "Moon/Base"], 1, "'Moon/Base' is not an IANA timezone"),
        (["--format", "csv"], 2, "--format csv needs a column mapping"),
        (["--encoding", "klingon"], 1, "unknown text encoding"),
    ],
)
def test_bad_arguments_are_clear_errors(
    tmp_path: Path,
    database_url: str,
    store: sessionmaker[Session],
    extra: list[str],
    code: int,
    message: str,
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(GOOD)
    exit_code, out = run(database_url, *args(path), *extra, "--config-dir", str(tmp_path))
    assert exit_code == code, out
    assert message in out
    assert "Traceback" not in out
    assert stored(store) == 0


def test_unmigrated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(GOOD)
    code, out = run(f"sqlite:///{tmp_path / 'empty.db'}", *args(path))
    assert code == 1
    assert "run `shiftgate db upgrade`" in out


def test_list_shows_a_sites_day_in_its_zone(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(GOOD + "        1\t2025-03-04 00:30:00\t1\t1\t1\t0\n")
    assert run(database_url, *args(path))[0] == 0
    env = {"SHIFTGATE_DATABASE_URL": database_url, "COLUMNS": "300"}
    listed = CliRunner().invoke(
        app,
        ["punches", "list", "--site", "HZ-WH1", "--from", "2025-03-03", "--to", "2025-03-03"],
        env=env,
    )
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.splitlines() if "2025-03-0" in line]
    assert [line.split("│")[1].strip() for line in lines] == [
        "2025-03-03 08:59:01",
        "2025-03-03 18:03:12",
        "2025-03-03 18:05:00",
        "2025-03-03 21:58:40",
    ]  # 2025-03-04 00:30 local is another day, although it is 2025-03-03 in UTC
    assert "E0001" in lines[0] and "4 punch(es)" in listed.output
    one = CliRunner().invoke(
        app, ["punches", "list", "--employee", "E0002", "--limit", "1"], env=env
    )
    assert one.exit_code == 0, one.output
    assert "1 punch(es) (limit reached" in one.output
    assert "21:58:40" not in one.output  # no --site: times shown in UTC
    assert "2025-03-03 13:58:40" in one.output


def test_one_import_command_reads_attlog_csv_and_xlsx_alike(
    tmp_path: Path, database_url: str, store: sessionmaker[Session]
) -> None:
    from openpyxl import Workbook

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("user: AC-No.\ntimestamp: Time\nstate: State\n")
    attlog = tmp_path / "CKJX194960123_attlog.dat"
    attlog.write_text("        1\t2025-03-03 08:59:01\t1\t0\t1\t0\n")
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("AC-No.,Time,State\n1,2025-03-03 08:59:01,C/In\n2,2025-03-03 09:10:00,0\n")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["AC-No.", "Time", "State"])
    ws.append([1, datetime(2025, 3, 3, 8, 59, 1), "C/In"])  # noqa: DTZ001 - a sheet's wall time
    ws.append([2, datetime(2025, 3, 3, 9, 10), "C/In"])  # noqa: DTZ001
    ws.append([2, datetime(2025, 3, 3, 18, 2), "C/Out"])  # noqa: DTZ001
    xlsx = tmp_path / "export.xlsx"
    book.save(xlsx)
    code, out = run(database_url, *args(attlog))
    assert (code, "1 new, 0 already stored" in out) == (0, True), out
    code, out = run(database_url, *args(csv_file, "--csv-mapping", str(mapping)))
    assert (code, "1 new, 1 already stored" in out) == (0, True), out
    code, out = run(database_url, *args(xlsx, "--csv-mapping", str(mapping)))  # by its suffix
    assert (code, "1 new, 2 already stored" in out) == (0, True), out
    assert stored(store) == 3


def test_xlsx_without_a_mapping_is_a_clear_error(tmp_path: Path, database_url: str) -> None:
    xlsx = tmp_path / "export.xlsx"
    xlsx.write_bytes(b"")
    code, out = run(database_url, *args(xlsx, "--config-dir", str(tmp_path)))
    assert code == 2 and "--format xlsx needs a column mapping" in out
