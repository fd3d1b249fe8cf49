"""Pay runs over the HR store (see :mod:`.run`): run, lock, reopen, explain, diff, export."""

from hrcore.store.payroll.lock import (
    LockReport,
    lock_period,
    reopen_period,
)
from hrcore.store.payroll.periods import (
    Clock,
    PayrollBlocked,
    PayrollProblem,
    month_bounds,
)
from hrcore.store.payroll.read import (
    ExportLine,
    LineChange,
    RunDiff,
    RunSummary,
    StoredPayslip,
    current_run_id,
    diff_runs,
    explain_payslip,
    export_lines,
    list_runs,
)
from hrcore.store.payroll.run import (
    PayData,
    RunReport,
    run_payroll,
)

__all__ = [
    "Clock",
    "ExportLine",
    "LineChange",
    "LockReport",
    "PayData",
    "PayrollBlocked",
    "PayrollProblem",
    "RunDiff",
    "RunReport",
    "RunSummary",
    "StoredPayslip",
    "current_run_id",
    "diff_runs",
    "explain_payslip",
    "export_lines",
    "list_runs",
    "lock_period",
    "month_bounds",
    "reopen_period",
    "run_payroll",
]
