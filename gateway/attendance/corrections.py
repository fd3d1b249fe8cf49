"""Deciding a correction request and recomputing the day it changes, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from hrcore.store.attendance import compute_attendance
from hrcore.store.corrections import CorrectionView, decide_correction
from hrcore.store.directory import get_employee


def decide_and_recompute(
    session: Session,
    request_id: int,
    *,
    approve: bool,
    decided_by: str,
    note: str | None,
    clock: Callable[[], datetime],
) -> CorrectionView:
    """Approve or reject; an approval adds the corrected punch and recomputes that employee's
    day (the raw punches stay as they are)."""
    view = decide_correction(
        session, request_id, approve=approve, decided_by=decided_by, note=note, now=clock()
    )
    if approve:
        emp = get_employee(session, view.employee_code)
        compute_attendance(
            session,
            view.day,
            view.day,
            clock=clock,
            site_code=view.site_code,
            employee_ids={emp.id},
            actor=decided_by,
        )
    return view
