"""Attendance at scale: `python -m bench.attendance_scale [--employees 10000] [--days 31]`.

Builds a synthetic site (day, night and pair-mode shifts on a published roster, about 4
punches per worked day, with late arrivals, early exits, forgotten check-outs and bounce
punches) over October 2026 (a statutory holiday, its bridging days and an adjusted working
Saturday), 15 % of staff on nights and 10 % on comprehensive hours. Then times, commit
included: one full `compute_attendance` over the period, an incremental pass with nothing new,
and the incremental pass after one late punch of one employee. Prints one JSON object per HR
store (`--stores sqlite,postgres`): wall and CPU seconds (`time.process_time`, the figure that
matters on a shared machine), the full compute's split by stage, and the peak RSS of the
measuring process (the site is built in a child process, so seeding does not count).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time as timer
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.testing.postgres import PostgresUnavailable, start_postgres
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import (
    AttendanceDay,
    Device,
    Employee,
    PunchRecord,
    PunchStateCode,
    RosterAssignment,
    RosterRun,
    RosterStatus,
    ShiftType,
    Site,
    WorkingHoursSystem,
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


def build(
    url: str,
    *,
    employees: int,
    days: int,
    first: date,
    seed: int = 7,
    nights_in_20: int = 5,
    comprehensive_every: int = 0,
    restday_work: float = 0.0,
) -> Built:
    """Create and fill the synthetic site (not timed as part of the compute).

    ``nights_in_20`` of every 20 employees work nights, 3 of the rest pair-mode days; every
    ``comprehensive_every``-th employee is on comprehensive hours (0: nobody); a share
    ``restday_work`` of days off is worked all the same (rest-day overtime)."""
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
            codes = ["DAY"] * (17 - nights_in_20) + ["NIGHT"] * nights_in_20 + ["DAYP"] * 3
            emp_rows = [
                {
                    "code": f"B{i:05d}",
                    "name": f"Bench {i}",
                    "site_id": site.id,
                    "hire_date": date(2020, 1, 1),
                    "default_shift_type_id": shift_types["DAY"].id,
                    "working_hours_system": WorkingHoursSystem.COMPREHENSIVE
                    if comprehensive_every and i % comprehensive_every == comprehensive_every - 1
                    else WorkingHoursSystem.STANDARD,
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
                    off = (d + i) % 7 == 6  # one day off in seven, staggered
                    if off and not (restday_work and rng.random() < restday_work):
                        continue
                    if not off:
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


def _late_punch(built: Built) -> dict[str, object]:
    """A check-out of the first employee, 40 minutes late, that reached the store after the
    compute: the day it belongs to becomes stale."""
    day = built.first + timedelta(days=min(14, built.days - 1))
    if (day - built.first).days % 7 == 6:  # employee 0's day off
        day -= timedelta(days=1)
    local = datetime.combine(day, time(18, 40, 7), tzinfo=TZ)
    row = _punch_row(0, "1", local, PunchStateCode.OUT)
    row["stored_at"] = row["received_at"] = CLOCK_AT + timedelta(hours=1)
    return row


def _rounded(stages: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return {stage: round(seconds, 2) for stage, seconds in stages}


def measure(built: Built, *, late_punch: bool = False) -> dict[str, object]:
    """Time the full compute and the nothing-new incremental pass; with ``late_punch``, then
    store one late punch and time the incremental pass that recomputes it (this changes a
    stored row, so the golden checksum test leaves it out)."""
    engine = make_engine(built.url)
    factory: sessionmaker[Session] = make_session_factory(engine)
    try:
        t0, c0 = timer.monotonic(), timer.process_time()
        with factory.begin() as s:
            report = compute_attendance(s, built.first, built.last, clock=_clock)
            t_commit = timer.monotonic()
        full, cpu = timer.monotonic() - t0, timer.process_time() - c0
        commit = timer.monotonic() - t_commit
        t1, c1 = timer.monotonic(), timer.process_time()
        with factory.begin() as s:
            again = recompute_stale(s, built.first, built.last, clock=_clock)
        incremental, incremental_cpu = timer.monotonic() - t1, timer.process_time() - c1
        one_punch: dict[str, object] = {}
        if late_punch:
            one_punch = _one_punch(factory, built)
    finally:
        engine.dispose()
    stages = _rounded(report.stage_seconds)
    stages["commit"] = round(commit, 2)
    return {
        "benchmark": "attendance_scale",
        "hr_store": engine.dialect.name,
        "employees": built.employees,
        "days": built.days,
        "first": built.first.isoformat(),
        "punches": report.punches,
        "rows_written": report.days_inserted,
        "full_wall_s": round(full, 2),
        "full_cpu_s": round(cpu, 2),
        "full_stages_s": stages,
        "punches_per_s": round(report.punches / full),
        "employee_days_per_s": round(report.days_evaluated / full),
        "incremental_wall_s": round(incremental, 3),
        "incremental_cpu_s": round(incremental_cpu, 3),
        "incremental_days_rewritten": again.days_inserted + again.days_updated,
        **one_punch,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "seed_seconds": round(built.seed_seconds, 1),
        "statuses": dict(report.status_counts),
        "overtime_minutes": _overtime_totals(built.url),
        "unmatched": len(report.unmatched),
    }


def _one_punch(factory: sessionmaker[Session], built: Built) -> dict[str, object]:
    with factory.begin() as s:
        punch = _late_punch(built)
        punch["employee_id"] = s.scalar(select(Employee.id).order_by(Employee.id).limit(1))
        s.execute(insert(PunchRecord), [punch])
    t0, c0 = timer.monotonic(), timer.process_time()
    with factory.begin() as s:
        one = recompute_stale(
            s, built.first, built.last, clock=lambda: CLOCK_AT + timedelta(hours=2)
        )
    wall, cpu = timer.monotonic() - t0, timer.process_time() - c0
    return {
        "one_punch_wall_s": round(wall, 3),
        "one_punch_cpu_s": round(cpu, 3),
        "one_punch_employees": one.employees,
        "one_punch_days_rewritten": one.days_inserted + one.days_updated,
        "one_punch_stages_s": {k: round(v, 3) for k, v in one.stage_seconds},
    }


def _overtime_totals(url: str) -> dict[str, int]:
    """Workday, rest-day and holiday overtime minutes stored: the costly cases are exercised."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            row = c.execute(
                select(
                    func.sum(AttendanceDay.overtime_workday_minutes),
                    func.sum(AttendanceDay.overtime_restday_minutes),
                    func.sum(AttendanceDay.overtime_holiday_minutes),
                )
            ).one()
    finally:
        engine.dispose()
    return {"workday": row[0] or 0, "restday": row[1] or 0, "holiday": row[2] or 0}


def _build_in_child(url: str, args: argparse.Namespace) -> Built:
    """Seed in a forked child, so the measuring process's peak RSS is the compute's own."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        return pool.apply(
            build,
            (url,),
            {
                "employees": args.employees,
                "days": args.days,
                "first": args.first,
                "seed": args.seed,
                "nights_in_20": 3,
                "comprehensive_every": 10,
                "restday_work": 0.1,
            },
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--first", type=date.fromisoformat, default=date(2026, 10, 1))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--stores",
        default="sqlite",
        help="HR stores, in turn: sqlite,postgres (a throwaway server of Debian's binaries)",
    )
    args = parser.parse_args(argv)
    for store in args.stores.split(","):
        if store == "sqlite":
            with tempfile.TemporaryDirectory(prefix="shiftgate-bench-") as tmp:
                result = measure(
                    _build_in_child(f"sqlite:///{Path(tmp) / 'a.db'}", args), late_punch=True
                )
        elif store == "postgres":
            try:
                server = start_postgres()
            except PostgresUnavailable as exc:
                result = {"hr_store": "postgresql", "skipped": str(exc)}
            else:
                try:
                    result = measure(_build_in_child(server.url(), args), late_punch=True)
                finally:
                    server.stop()
        else:
            raise SystemExit(f"unknown store {store!r}: sqlite or postgres")
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
