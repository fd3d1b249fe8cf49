"""A stored day explained, and hours per employee for payroll."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hrcore.errors import NotFound
from hrcore.models import (
    Leave,
    LeaveKind,
    PunchStateCode,
)
from hrcore.store.attendance import (
    explain_day,
    hours_by_employee,
)
from tests.hrcore.store.attendance.seed import Store, compute


def test_leave_explain_and_hours_export(store: Store) -> None:
    with store.factory.begin() as s:
        s.add(
            Leave(
                employee_id=store.employee_ids["E2"],
                kind=LeaveKind.ANNUAL,
                start_date=date(2025, 9, 23),
                end_date=date(2025, 9, 23),
            )
        )
    store.punch("1", "2025-09-22T09:10:00", PunchStateCode.IN)
    store.punch("1", "2025-09-22T09:10:30", PunchStateCode.IN)
    store.punch("1", "2025-09-22T19:00:00", PunchStateCode.OUT)
    store.punch("2", "2025-09-22T09:00:00")
    store.punch("2", "2025-09-22T18:00:00")
    compute(store, date(2025, 9, 22), date(2025, 9, 23))
    with store.factory() as s:
        why = explain_day(s, "E1", date(2025, 9, 22))
        assert (why.status, why.late_minutes, why.worked_minutes) == ("late", 10, 590)
        messages = [e.message for e in why.trace]
        assert messages[0].startswith(
            "shift DAY 09:00-18:00 on 2025-09-22 from default shift; window 08:00-22:00"
        )
        assert "09:10:30 ignored: bounce, within 60 s of the punch at 09:10:00" in messages
        assert "late: check-in 10 min after start (grace 5 min)" in messages
        with pytest.raises(NotFound, match="run `shiftgate attendance compute"):
            explain_day(s, "E1", date(2025, 9, 30))
        rows = {
            r.employee_code: r for r in hours_by_employee(s, date(2025, 9, 22), date(2025, 9, 23))
        }
    assert rows["E1"].worked_hours == Decimal("9.83")
    assert rows["E1"].overtime_workday_hours == Decimal("1.00")
    assert rows["E1"].regular_hours == Decimal("8.83")
    assert (rows["E1"].days_worked, rows["E1"].days_absent) == (1, 1)
    assert (rows["E2"].days_worked, rows["E2"].days_leave) == (1, 1)
