"""Attendance over the HR store, one module per step.

- ``scope``: which sites a call covers, their zone, policy and UTC span
- ``adopt``: punches without an employee, adopted once mapped and reported until then
- ``load``: what a compute reads besides punches (shift rules, roster, leave, closed periods)
- ``compute``: ``compute_attendance``, which writes only the AttendanceDay rows that changed
- ``staleness``: ``stale_days`` and ``recompute_stale`` (incremental recomputation)
- ``explain``: one stored day with its trace
- ``days``: stored days of a site a page at a time, with their pending corrections
- ``reports``: hours per employee over a period (the payroll export)

The pure rules live in :mod:`hrcore.attendance`; this package loads their inputs and stores
their results, inside the caller's transaction.
"""

from hrcore.store.attendance.adopt import (
    UnmatchedPunchReport,
    adopt_mapped_punches,
    unknown_user_punches,
    unregistered_device_punches,
)
from hrcore.store.attendance.compute import ComputeReport, compute_attendance, trace_to_json
from hrcore.store.attendance.days import DayPage, StoredDay, latest_day, stored_days
from hrcore.store.attendance.explain import DayExplanation, StoredTraceEntry, explain_day
from hrcore.store.attendance.load import shift_rule
from hrcore.store.attendance.reports import HoursRow, hours_by_employee
from hrcore.store.attendance.staleness import recompute_stale, stale_days

__all__ = [
    "ComputeReport",
    "DayExplanation",
    "DayPage",
    "HoursRow",
    "StoredDay",
    "StoredTraceEntry",
    "UnmatchedPunchReport",
    "adopt_mapped_punches",
    "compute_attendance",
    "explain_day",
    "hours_by_employee",
    "latest_day",
    "recompute_stale",
    "shift_rule",
    "stale_days",
    "stored_days",
    "trace_to_json",
    "unknown_user_punches",
    "unregistered_device_punches",
]
