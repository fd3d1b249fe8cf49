"""Pins the full compute's stored result on a seeded synthetic site, traces included.

The checksum was taken before the compute was optimised (issue #7): any change to a status,
a figure or a trace line changes it. If a change of behaviour is intended, recompute it with
``_checksum`` and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bench.attendance_scale import build, measure
from hrcore.db import make_engine, make_session_factory
from hrcore.models import AttendanceDay, Employee

GOLDEN = "72463471b5242a3c7fb2ebc1136490492f9f0e0181fb9529f3accbc0ac5b7699"


def _checksum(url: str) -> tuple[str, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            rows = s.execute(
                select(
                    Employee.code,
                    AttendanceDay.date,
                    AttendanceDay.status,
                    AttendanceDay.shift_type_id,
                    AttendanceDay.worked_minutes,
                    AttendanceDay.late_minutes,
                    AttendanceDay.early_exit_minutes,
                    AttendanceDay.overtime_workday_minutes,
                    AttendanceDay.overtime_restday_minutes,
                    AttendanceDay.overtime_holiday_minutes,
                    AttendanceDay.needs_review,
                    AttendanceDay.trace,
                )
                .join(Employee, Employee.id == AttendanceDay.employee_id)
                .order_by(Employee.code, AttendanceDay.date)
            ).all()
    finally:
        engine.dispose()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([str(v) if i == 1 else v for i, v in enumerate(row)]).encode())
        digest.update(b"\n")
    return digest.hexdigest(), len(rows)


def test_seeded_site_computes_to_the_pinned_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'golden.db'}"
    built = build(url, employees=60, days=10, first=date(2025, 9, 26), seed=11)
    result = measure(built)
    assert result["rows_written"] == 600
    digest, n = _checksum(url)
    assert n == 600
    assert digest == GOLDEN
