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
    PayrollRunStatus,
    ProtectionKind,
    PunchStateCode,
    RiskSeverity,
    Role,
    RosterStatus,
    WorkingHoursSystem,
)
from hrcore.models.org import OrgUnit, Site
from hrcore.models.payroll import PayPeriod, PayrollLine, PayrollResult, PayrollRun
from hrcore.models.people import Course, CourseCompletion, KpiValue, SurveyAnswer
from hrcore.models.punch import PunchRecord
from hrcore.models.risk import RiskAlert, RiskAssessment, RiskFlag
from hrcore.models.roster import RosterAssignment, RosterRun, ShiftType
from hrcore.models.user import ApiToken, User, WebSession

__all__ = [
    "ApiToken",
    "AttendanceDay",
    "AuditEntry",
    "CorrectionRequest",
    "CorrectionStatus",
    "Course",
    "CourseCompletion",
    "Device",
    "DeviceUserMapping",
    "Employee",
    "KpiValue",
    "Leave",
    "LeaveKind",
    "OrgUnit",
    "PayBasis",
    "PayPeriod",
    "PayPeriodStatus",
    "PayrollLine",
    "PayrollResult",
    "PayrollRun",
    "PayrollRunStatus",
    "Protection",
    "ProtectionKind",
    "PunchRecord",
    "PunchStateCode",
    "RiskAlert",
    "RiskAssessment",
    "RiskFlag",
    "RiskSeverity",
    "Role",
    "RosterAssignment",
    "RosterRun",
    "RosterStatus",
    "ShiftType",
    "Site",
    "SurveyAnswer",
    "User",
    "WebSession",
    "WorkingHoursSystem",
]
