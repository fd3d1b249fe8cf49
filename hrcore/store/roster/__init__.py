"""Rosters in the store, one module per concern; every name is re-exported here.

- ``reads``: what rostering reads to build a problem, as frozen types
- ``runs``: roster runs -- drafts, edits, imports, publishing
- ``grid``: a site's roster over a range as a grid

Every function runs inside the caller's transaction; the caller commits.
"""

from hrcore.store.roster.grid import (
    GridRow,
    RosterGrid,
    roster_grid,
)
from hrcore.store.roster.reads import (
    EmployeePay,
    EmployeeProtection,
    LeaveSpan,
    PublishedRoster,
    RosterEmployee,
    StoredAssignment,
    StoredShiftType,
    approved_leave,
    dates_between,
    employee_pay,
    employees_working,
    protections,
    published_roster,
    shift_types,
)
from hrcore.store.roster.runs import (
    DraftIn,
    PlannedShift,
    PublishOutcome,
    RunSummary,
    find_run,
    import_published_roster,
    publish,
    roster_runs,
    run_stamp,
    save_draft_run,
    set_assignment,
)

__all__ = [
    "DraftIn",
    "EmployeePay",
    "EmployeeProtection",
    "GridRow",
    "LeaveSpan",
    "PlannedShift",
    "PublishOutcome",
    "PublishedRoster",
    "RosterEmployee",
    "RosterGrid",
    "RunSummary",
    "StoredAssignment",
    "StoredShiftType",
    "approved_leave",
    "dates_between",
    "employee_pay",
    "employees_working",
    "find_run",
    "import_published_roster",
    "protections",
    "publish",
    "published_roster",
    "roster_grid",
    "roster_runs",
    "run_stamp",
    "save_draft_run",
    "set_assignment",
    "shift_types",
]
