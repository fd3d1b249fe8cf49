"""Incremental recomputation ends where a full compute would: after a leave edit or one late
punch, a full compute over the period finds nothing left to write."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hrcore.models import AttendanceDay, Employee
from hrcore.people.mapping import mapping_from_dict
from hrcore.people.reading import read_sheet
from hrcore.people.validation import check_import
from hrcore.store.attendance import ComputeReport, recompute_stale, stale_days
from hrcore.store.people import apply_import, known_codes
from tests.hrcore.store.attendance.seed import Store, compute, days_of

FIRST, LAST = date(2025, 9, 22), date(2025, 9, 26)
LEAVE_MAPPING = mapping_from_dict(
    {
        "table": "leave",
        "columns": {"employee": "ID", "kind": "Kind", "start": "From", "end": "To"},
    }
)


def _import_leave(store: Store, tmp_path: Path, text: str) -> None:
    path = tmp_path / "leave.csv"
    path.write_text("ID,Kind,From,To\n" + text, encoding="utf-8")
    with store.factory.begin() as s:
        checked = check_import(read_sheet(path), LEAVE_MAPPING, known_codes(s))
        assert checked.ok, checked.problems
        apply_import(s, checked, actor="test", at=store.clock())


def _rows(store: Store) -> list[tuple[Any, ...]]:
    with store.factory() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    Employee.code,
                    AttendanceDay.date,
                    AttendanceDay.status,
                    AttendanceDay.worked_minutes,
                    AttendanceDay.overtime_workday_minutes,
                    AttendanceDay.trace,
                )
                .join(Employee, Employee.id == AttendanceDay.employee_id)
                .order_by(Employee.code, AttendanceDay.date)
            )
        ]


def _assert_full_compute_writes_nothing(store: Store) -> None:
    before = _rows(store)
    store.clock.advance(5)
    full = compute(store, FIRST, LAST)
    assert (full.days_inserted, full.days_updated) == (0, 0)
    assert _rows(store) == before


def _incremental(store: Store) -> ComputeReport:
    with store.factory.begin() as s:
        return recompute_stale(s, FIRST, LAST, clock=store.clock)


def _work_week(store: Store) -> None:
    for day in range(22, 27):
        for user in ("1", "2"):
            store.punch(user, f"2025-09-{day}T08:58:00")
            store.punch(user, f"2025-09-{day}T18:03:00")


def test_a_leave_edit_is_seen_by_the_incremental_pass(store: Store, tmp_path: Path) -> None:
    _work_week(store)
    compute(store, FIRST, LAST)
    store.clock.advance(60)
    _import_leave(store, tmp_path, "E1,annual,2025-09-24,2025-09-25\n")
    e1 = store.employee_ids["E1"]
    with store.factory() as s:
        stale = stale_days(s, FIRST, LAST)
    assert {d for e, d in stale if e == e1} >= {date(2025, 9, 24), date(2025, 9, 25)}
    assert {e for e, _ in stale} == {e1}
    report = _incremental(store)
    assert report.employees == 1
    after = days_of(store, "E1")
    assert [after[date(2025, 9, d)].status for d in (23, 24, 25, 26)] == [
        "present",
        "on_leave",
        "on_leave",
        "present",
    ]
    _assert_full_compute_writes_nothing(store)

    # shortened by a second edit: the day it drops is recomputed too
    store.clock.advance(60)
    _import_leave(store, tmp_path, "E1,annual,2025-09-24,2025-09-24\n")
    report = _incremental(store)
    assert report.days_updated >= 1
    assert days_of(store, "E1")[date(2025, 9, 25)].status == "present"
    _assert_full_compute_writes_nothing(store)
    with store.factory() as s:
        assert stale_days(s, FIRST, LAST) == set()  # a leave edit is seen once


def test_one_late_punch_recomputes_that_employee_and_equals_a_full_compute(
    store: Store,
) -> None:
    _work_week(store)
    compute(store, FIRST, LAST)
    with store.factory() as s:
        rows = s.execute(select(AttendanceDay.date, AttendanceDay.status)).all()
    assert len(rows) == 10
    store.clock.advance(60)
    store.punch("1", "2025-09-23T20:30:00")  # a late check-out of the 23rd arrives
    report = _incremental(store)
    assert report.employees == 1
    assert report.days_updated == 1
    assert days_of(store, "E1")[date(2025, 9, 23)].worked_minutes > 9 * 60
    with store.factory() as s:
        assert stale_days(s, FIRST, LAST) == set()  # the next pass has nothing to do
    _assert_full_compute_writes_nothing(store)


def test_days_never_computed_are_stale_and_the_rest_are_not(store: Store) -> None:
    _work_week(store)
    compute(store, FIRST, date(2025, 9, 24))
    e1, e2 = store.employee_ids["E1"], store.employee_ids["E2"]
    with store.factory() as s:
        assert stale_days(s, FIRST, LAST) == {
            (e, date(2025, 9, d)) for e in (e1, e2) for d in (25, 26)
        }
    report = _incremental(store)
    assert report.days_inserted == 4
    with store.factory() as s:
        assert stale_days(s, FIRST, LAST) == set()
    _assert_full_compute_writes_nothing(store)
