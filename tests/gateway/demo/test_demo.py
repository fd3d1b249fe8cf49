"""`shiftgate demo` step 1: shipped sample data, seeded site, imported punches, summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo import STEPS, DemoContext, sample_data, seed_import
from hrcore.db import make_engine, make_session_factory
from hrcore.models import Employee, PunchRecord, PunchStateCode
from hrcore.store import device_user_map, get_device, get_employee, get_site

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_shipped_sample_data_is_what_the_generator_makes(tmp_path: Path) -> None:
    sample_data.write(tmp_path)
    for name in ("site.yaml", "attlog.dat"):
        assert (tmp_path / name).read_bytes() == (sample_data.DATA_DIR / name).read_bytes(), name


def test_seed_step_is_first_and_leaves_the_promised_store(tmp_path: Path) -> None:
    assert STEPS[0] is seed_import.STEP
    console = Console(record=True, width=200)
    workdir = tmp_path / "demo"
    (workdir / "stale").mkdir(parents=True)  # an old run's leftovers are wiped
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    seed_import.run(DemoContext(console=console, workdir=workdir, database_url=url))
    out = console.export_text()
    assert "import attlog.dat: 462 new, 0 already stored, 0 bad lines" in out
    assert "re-import attlog.dat: 0 new, 462 already stored, 0 bad lines" in out
    assert "import attendance_report.xlsx (20 rows): 0 new, 20 already stored" in out
    assert "Punches per day" in out
    assert "│ 2025-03-06 │ Thu │      31 │ 14 │  13 │" in out
    assert not (workdir / "stale").exists()

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            site = get_site(s, "DEMO-WH")
            assert s.scalar(select(func.count()).select_from(Employee)) == 20
            assert len(device_user_map(s, site)) == 20
            assert get_device(s, "DEMO-ZK-0001").driver == "files"
            rows = s.scalars(select(PunchRecord)).all()
            assert len(rows) == 462
            assert [r.device_user for r in rows if r.employee_id is None] == ["99", "99"]
            e07 = get_employee(s, "E07")
            states_on_6th = {
                r.state
                for r in rows
                if r.employee_id == e07.id and r.at.astimezone(SHANGHAI).date() == date(2025, 3, 6)
            }
            assert PunchStateCode.OUT not in states_on_6th  # the forgotten check-out
            assert PunchStateCode.IN in states_on_6th
            night = get_employee(s, "E20")
            night_outs = [
                r.at.astimezone(SHANGHAI)
                for r in rows
                if r.employee_id == night.id and r.state == PunchStateCode.OUT
            ]
            assert night_outs and all(t.hour == 6 for t in night_outs)
    finally:
        engine.dispose()


# `shiftgate demo` itself runs once in the suite, in tests/docs/test_documented_commands.py:
# the README's tour starts from what it leaves behind.
