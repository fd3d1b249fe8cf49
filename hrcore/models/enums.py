"""The store's codes, re-exported from :mod:`hrcore.enums` (their home, free of SQLAlchemy)."""

from __future__ import annotations

from hrcore.enums import (
    LeaveKind,
    PayBasis,
    PayPeriodStatus,
    ProtectionKind,
    PunchStateCode,
    RiskSeverity,
    RosterStatus,
    WorkingHoursSystem,
)

__all__ = [
    "LeaveKind",
    "PayBasis",
    "PayPeriodStatus",
    "ProtectionKind",
    "PunchStateCode",
    "RiskSeverity",
    "RosterStatus",
    "WorkingHoursSystem",
]
