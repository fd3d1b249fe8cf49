"""Typed SQLAlchemy models of the HR store. Importing this package registers every table."""

from hrcore.models.attendance import AttendanceDay
from hrcore.models.audit import AuditEntry
from hrcore.models.device import Device, DeviceUserMapping
from hrcore.models.employee import Employee, Leave, Protection
from hrcore.models.enums import (
    LeaveKind,
    PayBasis,
    PayPeriodStatus,
    ProtectionKind,
    PunchStateCode,
    RiskSeverity,
    RosterStatus,
    WorkingHoursSystem,
)
from hrcore.models.org import OrgUnit, Site
from hrcore.models.payroll import PayPeriod, PayrollLine, PayrollResult
from hrcore.models.punch import PunchRecord
from hrcore.models.risk import RiskFlag
from hrcore.models.roster import RosterAssignment, RosterRun, ShiftType

__all__ = [
    "AttendanceDay",
    "AuditEntry",
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
    "RosterAssignment",
    "RosterRun",
    "RosterStatus",
    "ShiftType",
    "Site",
    "WorkingHoursSystem",
]
