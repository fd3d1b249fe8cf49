"""Payroll at scale: `python -m bench.payroll_scale [--employees 10000]`.

Builds a site on SQLite with a month of stored attendance (March 2025: workdays present with
some weekday and rest-day overtime, a few absences, one check-in punch per worked day; 2 % of
the staff also punch at a second site), then times one `run_payroll` for the month, commit
included: stored attendance in, a stored run with every line traced out. Prints one JSON
object: wall and CPU seconds, employees, lines stored. Goal (issue #21): 10,000 employees in
at most 10 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time as timer
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from hrcore.attendance.cn_calendar import CnCalendar
from hrcore.attendance.model import DayKind
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import (
    AttendanceDay,
    Device,
    Employee,
    PayBasis,
    PayrollLine,
    PunchRecord,
    PunchStateCode,
    Site,
)
from hrcore.payroll.templates import load_templates
from hrcore.store.payroll import run_payroll

ROOT = Path(__file__).resolve().parents[1]
MONTH = date(2025, 3, 1)
NAMESPACE = uuid.UUID("5d0f7f8e-3c2a-4f7e-9a51-2b1e0c9d4a77")
AT = datetime(2025, 4, 1, tzinfo=UTC)


def _clock() -> datetime:
    return AT


def build(url: str, employees: int, seed: int = 7) -> int:
    """Seed the store; returns the number of attendance days."""
    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    calendar = CnCalendar()
    days = [MONTH + timedelta(days=i) for i in range(31)]
    kinds = {d: calendar.kind(d) for d in days}
    with factory.begin() as s:
        wh = Site(
            code="WH", name="Warehouse", timezone="Asia/Shanghai", city="Hangzhou", policy="cn"
        )
        dc = Site(code="DC", name="Depot", timezone="Asia/Shanghai", city="Hangzhou", policy="cn")
        s.add_all([wh, dc])
        s.flush()
        for sn, site in (("BENCH-WH", wh), ("BENCH-DC", dc)):
            s.add(
                Device(serial_number=sn, site_id=site.id, driver="zkteco", timezone="Asia/Shanghai")
            )
        connection = s.connection()
        rows = []
        for n in range(employees):
            hourly = n % 5 == 0
            rows.append(
                {
                    "code": f"P{n:05d}",
                    "name": f"Person {n}",
                    "site_id": wh.id,
                    "hire_date": date(2023, 1, 1),
                    "pay_basis": PayBasis.HOURLY if hourly else PayBasis.MONTHLY,
                    "base_pay": Decimal(f"{26 + n % 7}.50")
                    if hourly
                    else Decimal(5000 + 50 * (n % 60)),
                    "skills": [],
                }
            )
        connection.execute(insert(Employee), rows)
        ids = [i for (i,) in s.execute(select(Employee.id).order_by(Employee.id))]
        day_rows: list[dict[str, Any]] = []
        punch_rows: list[dict[str, Any]] = []
        for n, emp in enumerate(ids):
            two_sites = n % 50 == 0
            for d in days:
                workday = kinds[d] is DayKind.WORKDAY
                at = datetime(d.year, d.month, d.day, 0, 55, tzinfo=UTC)
                sn = "BENCH-DC" if two_sites and d.day % 2 else "BENCH-WH"
                pid = uuid.uuid5(NAMESPACE, f"{sn}|{emp}|{d}")
                trace: list[dict[str, Any]] = []
                if workday:
                    absent = rng.random() < 0.02
                    ot = rng.choice((0, 0, 0, 30, 60, 90)) if not absent else 0
                    values = {
                        "status": "absent" if absent else "present",
                        "worked_minutes": 0 if absent else 480 + ot,
                        "overtime_workday_minutes": ot,
                        "overtime_restday_minutes": 0,
                    }
                elif rng.random() < 0.1:
                    values = {
                        "status": "unrostered_work",
                        "worked_minutes": 300,
                        "overtime_workday_minutes": 0,
                        "overtime_restday_minutes": 300,
                    }
                else:
                    continue
                if values["worked_minutes"]:
                    punch_rows.append(
                        {
                            "id": pid,
                            "device_sn": sn,
                            "device_user": str(emp),
                            "employee_id": emp,
                            "local_time": at.isoformat(),
                            "at": at,
                            "timezone": "Asia/Shanghai",
                            "received_at": at,
                            "stored_at": at,
                            "state": PunchStateCode.IN,
                            "source": "bench",
                        }
                    )
                    trace = [{"kind": "used", "message": "check-in", "punch_id": str(pid)}]
                day_rows.append(
                    {
                        "employee_id": emp,
                        "date": d,
                        "late_minutes": 0,
                        "early_exit_minutes": 0,
                        "overtime_holiday_minutes": 0,
                        "trace": trace,
                        "computed_at": datetime(2025, 3, 31, tzinfo=UTC),
                        "needs_review": False,
                        **values,
                    }
                )
        for start in range(0, len(day_rows), 10000):
            connection.execute(insert(AttendanceDay), day_rows[start : start + 10000])
        for start in range(0, len(punch_rows), 10000):
            connection.execute(insert(PunchRecord), punch_rows[start : start + 10000])
    engine.dispose()
    return len(day_rows)


def measure(url: str) -> dict[str, object]:
    templates = load_templates(ROOT / "config" / "policies" / "cn")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    wall, cpu = timer.perf_counter(), timer.process_time()
    with factory.begin() as s:
        report = run_payroll(s, "WH", MONTH, templates=templates, clock=_clock, actor="bench")
    wall, cpu = timer.perf_counter() - wall, timer.process_time() - cpu
    with factory() as s:
        lines = s.scalar(select(func.count()).select_from(PayrollLine)) or 0
        sites = s.scalar(
            select(func.count(func.distinct(PayrollLine.site_code))).where(
                PayrollLine.site_code.is_not(None)
            )
        )
    engine.dispose()
    return {
        "run_seconds": round(wall, 2),
        "run_cpu_seconds": round(cpu, 2),
        "employees": report.employees,
        "lines": lines,
        "cost_centres": sites,
        "gross": str(report.gross),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--employees", type=int, default=10000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'payroll.db'}"
        started = timer.perf_counter()
        days = build(url, args.employees)
        seeded = timer.perf_counter() - started
        result = {"attendance_days": days, "seed_seconds": round(seeded, 1), **measure(url)}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
