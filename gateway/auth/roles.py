"""The role matrix: which role holds which permission. Every route names one permission."""

from __future__ import annotations

from enum import StrEnum

from hrcore.enums import Role


class Permission(StrEnum):
    #: sites, devices, punches, employees, rosters, attendance, corrections, risk flags
    READ = "read"
    PUNCH_INGEST = "punch_ingest"
    DEVICE_COMMAND = "device_command"
    EMPLOYEE_WRITE = "employee_write"
    ROSTER_WRITE = "roster_write"
    CORRECTION_REQUEST = "correction_request"
    CORRECTION_DECIDE = "correction_decide"
    PAYROLL_READ = "payroll_read"
    PAYROLL_WRITE = "payroll_write"
    AUDIT_READ = "audit_read"
    USER_ADMIN = "user_admin"
    #: /metrics (a Prometheus scraper sends any role's token)
    METRICS = "metrics"


_P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.HR: frozenset(
        {
            _P.READ,
            _P.EMPLOYEE_WRITE,
            _P.ROSTER_WRITE,
            _P.CORRECTION_REQUEST,
            _P.CORRECTION_DECIDE,
            _P.PAYROLL_READ,
            _P.METRICS,
        }
    ),
    Role.PAYROLL: frozenset(
        {_P.READ, _P.PAYROLL_READ, _P.PAYROLL_WRITE, _P.CORRECTION_REQUEST, _P.METRICS}
    ),
    Role.VIEWER: frozenset({_P.READ, _P.METRICS}),
    Role.GATEWAY: frozenset({_P.PUNCH_INGEST, _P.METRICS}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
