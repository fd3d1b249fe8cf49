"""Stored days a page at a time, filtered, with the corrections waiting on each."""

from __future__ import annotations

from datetime import date, datetime

from hrcore.enums import PunchStateCode
from hrcore.store import get_site
from hrcore.store.attendance.days import stored_days
from hrcore.store.corrections import CorrectionIn, request_correction
from tests.hrcore.store.attendance.seed import TZ, Store, compute

MON, TUE = date(2025, 9, 22), date(2025, 9, 23)


def test_days_page_by_date_then_employee_with_pending_corrections(store: Store) -> None:
    store.punch("1", "2025-09-22T09:00:00")
    store.punch("1", "2025-09-22T19:00:00")
    compute(store, MON, TUE)
    with store.factory.begin() as s:
        request_correction(
            s,
            CorrectionIn(
                "E1",
                date(2025, 9, 23),
                datetime(2025, 9, 23, 9, 0, tzinfo=TZ),
                PunchStateCode.IN,
                "forgot to punch",
                "hr",
            ),
            now=store.clock(),
        )
    with store.factory() as s:
        site = get_site(s, "WH1")
        first = stored_days(s, site, MON, TUE, limit=3)
        rest = stored_days(s, site, MON, TUE, limit=3, offset=3)
        e1 = stored_days(s, site, MON, TUE, employee_code="E1", limit=9)
        absent = stored_days(s, site, MON, TUE, status="absent", limit=9)
    assert first.total == rest.total == 4
    assert [(d.date.day, d.employee_code) for d in first.days + rest.days] == [
        (22, "E1"),
        (22, "E2"),
        (23, "E1"),
        (23, "E2"),
    ]
    monday, tuesday = e1.days
    assert (monday.status, monday.shift_code, monday.worked_minutes) == ("present", "DAY", 600)
    assert monday.overtime_minutes == 60 and monday.pending_corrections == 0
    assert (tuesday.status, tuesday.pending_corrections) == ("absent", 1)
    assert {(d.employee_code, d.date.day) for d in absent.days} == {
        ("E1", 23),
        ("E2", 22),
        ("E2", 23),
    }
