"""The demo's roster step: seeds a small warehouse, solves, stores and prints the draft."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo import seed_import
from gateway.demo.roster_step import DEMO_SITE, DEMO_STAFF, roster_step
from gateway.demo.runner import DemoContext, run_demo
from hrcore.db import make_engine, make_session_factory
from hrcore.models import Employee, Protection, RosterAssignment, RosterRun, RosterStatus, Site


def test_roster_step_writes_a_draft_and_prints_grid_and_summary(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    console = Console(record=True, width=160)
    ctx = DemoContext(console, workdir, url)
    step = roster_step(time_limit_s=3)
    # after the demo's first step (its own site), twice: the second run reuses the site
    run_demo([seed_import.STEP, step, step], ctx)
    text = console.export_text()
    assert "penalty report: total" in text
    # an edit putting the protected person on a night is checked and refused
    assert "to N on Fri 06 Nov: refused" in text
    assert "block no_nights:" in text
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Employee)) == 20 + DEMO_STAFF
        site = s.scalars(select(Site).where(Site.code == DEMO_SITE)).one()
        runs = s.scalars(
            select(RosterRun).where(RosterRun.site_id == site.id).order_by(RosterRun.id)
        ).all()
        assert [r.status for r in runs] == [RosterStatus.DRAFT, RosterStatus.DRAFT]
        first, second = runs[0].id, runs[1].id
        n = s.scalar(
            select(func.count())
            .select_from(RosterAssignment)
            .where(RosterAssignment.roster_run_id == second)
        )
        assert n is not None and n > DEMO_STAFF * 3  # about five shifts a person
        assert f"DEMO-DC: run {first} (draft, 2026-11-02..2026-11-08)" in text
        assert f"rest breaches 0, overtime-cap breaches 0; draft run {second} saved" in text
        protected = s.scalars(
            select(Employee).join(Protection, Protection.employee_id == Employee.id)
        ).one()
        assert f"{protected.code} may not work nights from Thu 05 Nov (a protection " in text
        lines = [li for li in text.splitlines() if "nights before it" in li]
        assert len(lines) == 2 and all(li.endswith(", 0 in it") for li in lines)
        assert runs[1].penalty_report and {"rule", "cost", "words"} <= set(
            runs[1].penalty_report[0]
        )
