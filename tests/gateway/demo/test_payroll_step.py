"""The payroll demo step after the import and attendance steps: the demo month is paid and
E03's payslip is explained within 80 columns."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from gateway.demo import attendance_step, payroll_step, seed_import
from gateway.demo.runner import DemoContext, run_demo
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PayrollResult


def test_payroll_step_pays_the_month_and_explains_one_payslip(
    sqlite_url: str, tmp_path: Path
) -> None:
    console = Console(record=True, width=80)
    steps = [seed_import.STEP, attendance_step.STEP, payroll_step.STEP]
    run_demo(steps, DemoContext(console=console, workdir=tmp_path, database_url=sqlite_url))
    text = console.export_text()
    payroll = text[text.index("Payroll: the demo month") :]
    assert "pay run 1 DEMO-WH 2025-03: 20 employees, stored as draft" in payroll
    assert "E03 Li Na  DEMO-WH 2025-03  run 1 (draft)" in payroll
    assert "5900.00 / 21.75 / 8 x" in payroll  # overtime from the monthly wage
    assert "Special additional deductions (for IIT)" in payroll and "3000.00" in payroll
    assert "国家税务总局公告2018年第61号" in payroll
    assert "unconfirmed" in payroll
    engine = make_engine(sqlite_url)
    with make_session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(PayrollResult)) == 20
    engine.dispose()
