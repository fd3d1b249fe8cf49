"""Attendance at scale: `python -m bench.attendance_scale [--employees 10000] [--days 31]`.

Builds a synthetic site on SQLite (day, night and pair-mode shifts on a published roster,
about 4 punches per worked day, with late arrivals, early exits, forgotten check-outs and
bounce punches), then times one full `compute_attendance` over the period, commit included,
and an incremental pass with nothing new. Prints one JSON object: wall seconds and the
process's CPU seconds (the figure that matters on a shared machine), punches/s over wall time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time as timer
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import (
    Device,
    Employee,
    PunchRecord,
    PunchStateCode,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
)
from hrcore.store.attendance import compute_attendance, recompute_stale

TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
NAMESPACE = uuid.UUID("0b6c1a52-94c5-4c53-8a2b-1f0f5e2d7c11")
RECEIVED = datetime(2025, 4, 2, tzinfo=UTC)
CLOCK_AT = datetime(2025, 4, 3, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Built:
    url: str
    employees: int
    days: int
    first: date
    last: date
    punches: int
    seed_seconds: float


def _clock() -> datetime:
    return CLOCK_AT


def _punch_row(emp_id: int, user: str, local: datetime, state: PunchStateCode) -> dict[str, object]:
    wall = local.replace(tzinfo=None).isoformat(timespec="seconds")
    return {
        "id": uuid.uuid5(NAMESPACE, f"BENCH1|{user}|{wall}"),
        "device_sn": "BENCH1",
        "device_user": user,
        "employee_id": emp_id,
        "local_time": local.isoformat(timespec="seconds"),
        "at": local,
        "timezone": TZ_NAME,
        "received_at": RECEIVED,
        "stored_at": RECEIVED,
        "state": state,
        "source": "bench",
    }


def _day_punches(
    rng: random.Random, start: datetime, end: datetime, *, pairs: bool
) -> list[tuple[datetime, PunchStateCode]]:
    """In, break out, break in, out -- with lateness, early exits, misses and bounces."""
    p = PunchStateCode
    arrive = start - timedelta(minutes=rng.randint(0, 15))
    if rng.random() < 0.10:
        arrive = start + timedelta(minutes=rng.randint(6, 40))
    leave = end + timedelta(minutes=rng.randint(0, 30))
    if rng.random() < 0.08:
        leave = end - timedelta(minutes=rng.randint(6, 90))
    middle = start + (end - start) / 2
    out = [
        (arrive, p.IN),
        (middle - timedelta(minutes=rng.randint(20, 40)), p.BREAK_OUT),
        (middle + timedelta(minutes=rng.randint(10, 30)), p.BREAK_IN),
    ]
    if rng.random() >= 0.03:  # 3 % forget to check out
        out.append((leave, p.OUT))
    if rng.random() < 0.05:  # 5 % bounce on the reader
        stamp, state = out[rng.randrange(len(out))]
        out.append((stamp + timedelta(seconds=rng.randint(5, 40)), state))
    if not pairs:
        out = [(stamp, p.UNDEFINED if rng.random() < 0.5 else state) for stamp, state in out]
    return [(stamp.replace(second=rng.randint(0, 59)), state) for stamp, state in out]


def build(url: str, *, employees: int, days: int, first: date, seed: int = 7) -> Built:
    """Create and fill the synthetic site (not timed as part of the compute)."""
    began = timer.monotonic()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(seed)
    last = first + timedelta(days=days - 1)
    n_punches = 0
    try:
        with factory.begin() as s:
            site = Site(code="BENCH", name="Bench site", timezone=TZ_NAME, policy="cn")
            s.add(site)
            s.flush()
            shift_types = {
                "DAY": ShiftType(
                    site_id=site.id, code="DAY", start=time(9), end=time(18), break_minutes=60
                ),
                "NIGHT": ShiftType(
                    site_id=site.id, code="NIGHT", start=time(22), end=time(6), break_minutes=30
                ),
                "DAYP": ShiftType(
                    site_id=site.id,
                    code="DAYP",
                    start=time(8),
                    end=time(17),
                    in_out_mode="state",
                    hours_mode="pairs",
                    half_day_below_minutes=240,
                    absent_below_minutes=60,
                ),
            }
            s.add_all(shift_types.values())
            s.add(
                Device(serial_number="BENCH1", driver="zkteco", site_id=site.id, timezone=TZ_NAME)
            )
            run = RosterRun(
                site_id=site.id,
                date_from=first,
                date_to=last,
                status=RosterStatus.PUBLISHED,
                created_at=RECEIVED,
                published_at=RECEIVED,
            )
            s.add(run)
            s.flush()
            codes = ["DAY"] * 12 + ["NIGHT"] * 5 + ["DAYP"] * 3
            emp_rows = [
                {
                    "code": f"B{i:05d}",
                    "name": f"Bench {i}",
                    "site_id": site.id,
                    "hire_date": date(2020, 1, 1),
                    "default_shift_type_id": shift_types["DAY"].id,
                }
                for i in range(employees)
            ]
            s.execute(insert(Employee), emp_rows)
            ids = [row.id for row in s.query(Employee.id).order_by(Employee.id)]
            assignments: list[dict[str, object]] = []
            punches: list[dict[str, object]] = []
            for i, emp_id in enumerate(ids):
                st = shift_types[codes[i % len(codes)]]
                for d in range(days):
                    day = first + timedelta(days=d)
                    if (d + i) % 7 == 6:  # one day off in seven, staggered
                        continue
                    assignments.append(
                        {
                            "roster_run_id": run.id,
                            "employee_id": emp_id,
                            "date": day,
                            "shift_type_id": st.id,
                        }
                    )
                    if rng.random() < 0.02:  # absent
                        continue
                    start = datetime.combine(day, st.start, tzinfo=TZ)
                    end_day = day + timedelta(days=1) if st.end <= st.start else day
                    end = datetime.combine(end_day, st.end, tzinfo=TZ)
                    seen: set[datetime] = set()
                    for stamp, state in _day_punches(rng, start, end, pairs=st.code == "DAYP"):
                        if stamp in seen:
                            continue
                        seen.add(stamp)
                        punches.append(_punch_row(emp_id, str(i + 1), stamp, state))
                if len(punches) > 50_000:
                    s.execute(insert(PunchRecord), punches)
                    n_punches += len(punches)
                    punches = []
            s.execute(insert(RosterAssignment), assignments)
            if punches:
                s.execute(insert(PunchRecord), punches)
                n_punches += len(punches)
    finally:
        engine.dispose()
    return Built(url, employees, days, first, last, n_punches, timer.monotonic() - began)


def measure(built: Built) -> dict[str, object]:
    engine = make_engine(built.url)
    factory: sessionmaker[Session] = make_session_factory(engine)
    try:
        t0, c0 = timer.monotonic(), timer.process_time()
        with factory.begin() as s:
            report = compute_attendance(s, built.first, built.last, clock=_clock)
        full, cpu = timer.monotonic() - t0, timer.process_time() - c0
        t1 = timer.monotonic()
        with factory.begin() as s:
            again = recompute_stale(s, built.first, built.last, clock=_clock)
        incremental = timer.monotonic() - t1
    finally:
        engine.dispose()
    return {
        "benchmark": "attendance_scale",
        "employees": built.employees,
        "days": built.days,
        "punches": report.punches,
        "rows_written": report.days_inserted,
        "seconds": round(full, 2),
        "cpu_seconds": round(cpu, 2),
        "punches_per_s": round(report.punches / full),
        "employee_days_per_s": round(report.days_evaluated / full),
        "incremental_nothing_new_seconds": round(incremental, 2),
        "incremental_days_rewritten": again.days_inserted + again.days_updated,
        "seed_seconds": round(built.seed_seconds, 1),
        "statuses": dict(report.status_counts),
        "unmatched": len(report.unmatched),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--first", type=date.fromisoformat, default=date(2025, 3, 1))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shiftgate-bench-") as tmp:
        path = args.db or Path(tmp) / "attendance.db"
        built = build(
            f"sqlite:///{path}",
            employees=args.employees,
            days=args.days,
            first=args.first,
            seed=args.seed,
        )
        result = measure(built)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
