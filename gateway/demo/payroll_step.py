"""Demo step: the demo month's pay run from the attendance just computed, and one payslip
explained line by line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from gateway.demo.runner import DemoContext, DemoStep
from gateway.payroll.files import read_pay_data
from gateway.payroll.present import print_payslip, print_run_report
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AttendanceDay, Employee, Site
from hrcore.payroll.templates import load_templates
from hrcore.store.payroll import explain_payslip, run_payroll

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "policies" / "cn"
PAY_DATA = Path(__file__).resolve().parent / "data" / "pay-data.csv"
SHOWN = "E03"


def _now() -> datetime:
    return datetime.now(UTC)


def run(ctx: DemoContext) -> None:
    templates = load_templates(TEMPLATES)
    pay_data = read_pay_data(PAY_DATA)
    engine = make_engine(ctx.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            first_day = session.execute(
                select(Site.code, func.min(AttendanceDay.date))
                .join(Employee, Employee.id == AttendanceDay.employee_id)
                .join(Site, Site.id == Employee.site_id)
                .group_by(Site.code)
                .order_by(Site.code)
            ).first()
        if first_day is None:
            ctx.console.print("no attendance computed yet: nothing to pay")
            return
        site, day = first_day
        month = date(day.year, day.month, 1)
        with factory.begin() as session:
            report = run_payroll(
                session,
                site,
                month,
                templates=templates,
                clock=_now,
                actor="demo",
                pay_data=pay_data,
            )
        print_run_report(ctx.console, report)
        with factory() as session:
            slip = explain_payslip(session, SHOWN, month)
        print_payslip(ctx.console, slip)
        ctx.console.print(
            f"lock and export: `shiftgate payroll lock --site {site} --month {month:%Y-%m}`, "
            f"`shiftgate payroll export --site {site} --month {month:%Y-%m} --out pay.xlsx`",
            soft_wrap=False,
        )
    finally:
        engine.dispose()


STEP = DemoStep(title="Payroll: the demo month, one payslip explained", run=run)
