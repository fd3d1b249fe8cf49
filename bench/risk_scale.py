"""Risk benchmark: `python -m bench.risk_scale [--employees 10000] [--punches 1000]`.

Two figures, printed as one JSON line each:

- ``assess_quarter``: flags and levels for N employees over a quarter, read from a fresh
  SQLite store (attendance_days of 13 weeks, leave, survey answers, KPI values through the
  scorecard) and written back (risk_flags, risk_assessments, alerts): `evaluate_risk` as
  `shiftgate risk evaluate` runs it. The pure assessment alone is timed too.
- ``reevaluate_batch``: a batch of new punches (in/out pairs of ``punches / 2`` employees)
  reaches the store; the watcher's work for it is timed: recomputing the stale attendance
  days and re-evaluating the affected employees (`reevaluate_after_punches`).

The seeded data: 8-12 h weekdays, one employee in 20 on 11.5 h days (long weeks), one in
50 with a week of sick leave, one in 25 answering "under pressure".
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from hrcore.db import make_engine, make_session_factory
from hrcore.enums import LeaveKind, PunchStateCode, RiskLevel
from hrcore.migrate import upgrade
from hrcore.models import AttendanceDay, DeviceUserMapping, Employee, KpiValue, Leave, ShiftType
from hrcore.models import SurveyAnswer as SurveyRow
from hrcore.people.scorecard import KpiDefinition, Perspective, ScorecardConfig
from hrcore.risk.assess import assess_all
from hrcore.risk.model import RiskConfig
from hrcore.store import PunchIn, SiteIn, insert_punches, save_site
from hrcore.store.risk import evaluate_risk, reevaluate_after_punches, risk_inputs

AS_OF = date(2025, 9, 28)  # a Sunday; the quarter is the 13 weeks up to it
TZ = ZoneInfo("Asia/Shanghai")
SCORECARD = ScorecardConfig(
    kpis={"csat": KpiDefinition("csat", Perspective.CUSTOMER, Decimal("4.5"))}
)


def seed(session: Session, employees: int, rng: random.Random) -> list[int]:
    site = save_site(session, SiteIn("BENCH", "Bench site", "Asia/Shanghai"))
    shift = ShiftType(
        site_id=site.id,
        code="D",
        start=datetime.min.time().replace(hour=9),
        end=datetime.min.time().replace(hour=18),
        break_minutes=60,
    )
    session.add(shift)
    session.flush()
    session.execute(
        insert(Employee),
        [
            {
                "code": f"B{n:05d}",
                "name": f"bench {n}",
                "site_id": site.id,
                "hire_date": date(2024, 1, 1),
                "skills": [],
                "default_shift_type_id": shift.id,
            }
            for n in range(employees)
        ],
    )
    ids = [
        e
        for (e,) in session.execute(
            Employee.__table__.select()
            .with_only_columns(Employee.__table__.c.id)
            .order_by(Employee.__table__.c.id)
        )
    ]
    session.execute(
        insert(DeviceUserMapping),
        [{"site_id": site.id, "device_user": str(n), "employee_id": e} for n, e in enumerate(ids)],
    )
    first = AS_OF - timedelta(weeks=13) + timedelta(days=1)
    now = datetime.now(UTC)
    days = []
    for n, emp in enumerate(ids):
        long_hours = n % 20 == 0
        d = first
        while d <= AS_OF:
            if d.weekday() < 5:
                worked = 690 if long_hours else rng.randint(480, 600)
                days.append(
                    {
                        "employee_id": emp,
                        "date": d,
                        "status": "present",
                        "worked_minutes": worked,
                        "overtime_workday_minutes": max(0, worked - 480),
                        "trace": [],
                        "computed_at": now,
                    }
                )
            d += timedelta(days=1)
        if len(days) > 50_000:
            session.execute(insert(AttendanceDay), days)
            days = []
    if days:
        session.execute(insert(AttendanceDay), days)
    session.execute(
        insert(Leave),
        [
            {
                "employee_id": e,
                "kind": LeaveKind.SICK,
                "start_date": date(2025, 9, 8),
                "end_date": date(2025, 9, 12),
                "approved": True,
            }
            for n, e in enumerate(ids)
            if n % 50 == 1
        ],
    )
    session.execute(
        insert(SurveyRow),
        [
            {"employee_id": e, "period": "2025-09", "under_pressure": n % 25 == 0, "source": ""}
            for n, e in enumerate(ids)
        ],
    )
    session.execute(
        insert(KpiValue),
        [
            {"employee_id": e, "period": p, "kpi": "csat", "value": Decimal(v), "source": ""}
            for n, e in enumerate(ids)
            for p, v in (
                ("2025-07", "4.6"),
                ("2025-08", "4.4" if n % 10 == 0 else "4.6"),
                ("2025-09", "4.2" if n % 10 == 0 else "4.6"),
            )
        ],
    )
    return ids


def punches(count: int, at: datetime) -> list[PunchIn]:
    out = []
    day = AS_OF - timedelta(days=2)  # Friday
    for n in range(count // 2):
        for hour, state in ((8, PunchStateCode.IN), (20, PunchStateCode.OUT)):
            local = datetime(day.year, day.month, day.day, hour, 30, tzinfo=TZ)
            out.append(
                PunchIn(
                    id=uuid.uuid5(uuid.NAMESPACE_URL, f"BENCH|{n}|{local}"),
                    device_sn="BENCH",
                    device_user=str(n),
                    local_time=local,
                    timezone="Asia/Shanghai",
                    received_at=at,
                    state=state,
                    site_id=1,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--punches", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = RiskConfig()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'risk.db'}"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        with factory.begin() as session:
            seed(session, args.employees, random.Random(args.seed))
        seeded_s = time.perf_counter() - started

        with factory() as session:
            inputs = list(risk_inputs(session, AS_OF, config, scorecard=SCORECARD).values())
        started, cpu = time.perf_counter(), time.process_time()
        pure = assess_all(inputs, AS_OF, config)
        pure_s, pure_cpu = time.perf_counter() - started, time.process_time() - cpu

        started, cpu = time.perf_counter(), time.process_time()
        with factory.begin() as session:
            result = evaluate_risk(
                session, AS_OF, config=config, clock=lambda: datetime.now(UTC), scorecard=SCORECARD
            )
        store_s, store_cpu = time.perf_counter() - started, time.process_time() - cpu
        sys.stdout.write(
            json.dumps(
                {
                    "bench": "assess_quarter",
                    "employees": args.employees,
                    "seed_s": round(seeded_s, 2),
                    "pure_assess_s": round(pure_s, 2),
                    "pure_assess_cpu_s": round(pure_cpu, 2),
                    "evaluate_store_s": round(store_s, 2),
                    "evaluate_store_cpu_s": round(store_cpu, 2),
                    "red": result.count(RiskLevel.RED),
                    "amber": result.count(RiskLevel.AMBER),
                    "alerts": len(result.alerts),
                    "pure_red": sum(a.level is RiskLevel.RED for a in pure),
                }
            )
            + "\n"
        )
        sys.stdout.flush()

        before = datetime.now(UTC)
        with factory.begin() as session:
            stored = insert_punches(session, punches(args.punches, before))
        started, cpu = time.perf_counter(), time.process_time()
        with factory.begin() as session:
            again = reevaluate_after_punches(
                session,
                before - timedelta(seconds=1),
                datetime.now(UTC) + timedelta(seconds=1),
                config=config,
                clock=lambda: datetime.now(UTC),
                scorecard=SCORECARD,
                as_of=AS_OF,
            )
        batch_s, batch_cpu = time.perf_counter() - started, time.process_time() - cpu
        sys.stdout.write(
            json.dumps(
                {
                    "bench": "reevaluate_batch",
                    "punches": stored,
                    "employees": len(again.assessments),
                    "seconds": round(batch_s, 2),
                    "cpu_s": round(batch_cpu, 2),
                    "new_alerts": len(again.alerts),
                }
            )
            + "\n"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
