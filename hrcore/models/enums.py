"""The store's codes, re-exported from :mod:`hrcore.enums` (their home, free of SQLAlchemy)."""

from __future__ import annotations

from hrcore.enums import (
    CorrectionStatus,
    LeaveKind,
    PayBasis,
    PayPeriodStatus,
    PayrollRunStatus,
    ProtectionKind,
    PunchStateCode,
    RiskSeverity,
    Role,
    RosterStatus,
    WorkingHoursSystem,
)

__all__ = [
    "CorrectionStatus",
    "LeaveKind",
    "PayBasis",
    "PayPeriodStatus",
    "PayrollRunStatus",
    "ProtectionKind",
    "PunchStateCode",
    "RiskSeverity",
    "Role",
    "RosterStatus",
    "WorkingHoursSystem",
]
