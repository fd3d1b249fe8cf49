"""Codes of the HR store (stored as strings, so adding a value needs no enum migration).

Plain StrEnums with no SQLAlchemy: the pure attendance, overtime and payroll code imports them
from here without loading the ORM. The punch state is shared with the drivers and defined once
in :mod:`shiftgate_types`.
"""

from __future__ import annotations

from enum import StrEnum

from shiftgate_types import PunchState


class WorkingHoursSystem(StrEnum):
    STANDARD = "standard"
    COMPREHENSIVE = "comprehensive"
    FLEXIBLE = "flexible"


class PayBasis(StrEnum):
    MONTHLY = "monthly"
    HOURLY = "hourly"


#: the state a punch was recorded with; the same class as ``drivers.punch.PunchState``
PunchStateCode = PunchState


class RosterStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class LeaveKind(StrEnum):
    ANNUAL = "annual"
    SICK = "sick"
    PERSONAL = "personal"
    COMPENSATORY = "compensatory"
    MATERNITY = "maternity"
    OTHER = "other"


class ProtectionKind(StrEnum):
    """What a protection period bars (CN: an employee 7+ months pregnant or nursing a
    child under one may not work nights or overtime)."""

    NO_NIGHTS = "no_nights"
    NO_OVERTIME = "no_overtime"


class PayPeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PayrollRunStatus(StrEnum):
    """A pay run: the period's current draft, the locked (signed) one, or an older one kept
    for ``payroll diff``."""

    DRAFT = "draft"
    LOCKED = "locked"
    REOPENED = "reopened"  # was locked; the period was reopened with a reason
    SUPERSEDED = "superseded"  # a draft replaced by a later run


class RiskSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Role(StrEnum):
    """What a user of the API and web UI may do (see gateway/auth/roles.py for the matrix)."""

    ADMIN = "admin"
    HR = "hr"
    PAYROLL = "payroll"
    VIEWER = "viewer"
    #: machine-to-machine: a gateway posting punch batches to the centre
    GATEWAY = "gateway"


class CorrectionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RiskLevel(StrEnum):
    """An employee's combined burnout / overtime risk."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        return ("green", "amber", "red").index(self.value)
