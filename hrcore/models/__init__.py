"""Typed SQLAlchemy models of the HR store. Importing this package registers every table."""

from hrcore.models.attendance import AttendanceDay
from hrcore.models.audit import AuditEntry
from hrcore.models.correction import CorrectionRequest
from hrcore.models.device import Device, DeviceUserMapping
from hrcore.models.employee import Employee, Leave, Protection
from hrcore.models.enums import (
    CorrectionStatus,
    LeaveKind,
    PayBasis,
    PayPeriodStatus,
    ProtectionKind,
    PunchStateCode,
    RiskSeverity,
    Role,
    RosterStatus,
    WorkingHoursSystem,
)
from hrcore.models.org import OrgUnit, Site
from hrcore.models.payroll import PayPeriod, PayrollLine, PayrollResult
from hrcore.models.punch import PunchRecord
from hrcore.models.risk import RiskFlag
from hrcore.models.roster import RosterAssignment, RosterRun, ShiftType
from hrcore.models.user import ApiToken, User, WebSession

__all__ = [
    "ApiToken",
    "AttendanceDay",
    "AuditEntry",
    "CorrectionRequest",
    "CorrectionStatus",
    "Device",
    "DeviceUserMapping",
    "Employee",
    "Leave",
    "LeaveKind",
    "OrgUnit",
    "PayBasis",
    "PayPeriod",
    "PayPeriodStatus",
    "PayrollLine",
    "PayrollResult",
    "Protection",
    "ProtectionKind",
    "PunchRecord",
    "PunchStateCode",
    "RiskFlag",
    "RiskSeverity",
    "Role",
    "RosterAssignment",
    "RosterRun",
    "RosterStatus",
    "ShiftType",
    "Site",
    "User",
    "WebSession",
    "WorkingHoursSystem",
]
