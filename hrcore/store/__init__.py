"""Session code of the HR store, one module per aggregate.

- ``punches``: the idempotent punch insert and punch reads
- ``directory``: sites, org units, shift types, employees, the device-user mapping
- ``devices``: time clocks and their encrypted secrets
- ``audit``: the append-only audit log

Writes that must be idempotent or all-or-nothing live here. Every function runs inside the
caller's transaction; the caller commits. This package re-exports each module's public names,
so ``from hrcore.store import save_site`` keeps working; a new aggregate gets a module of its own.
"""

from hrcore.store.audit import AuditIn, AuditPage, AuditView, audit_of, audit_page, record_audit
from hrcore.store.devices import (
    DeviceIn,
    device_secret,
    devices_by_serial,
    find_device,
    get_device,
    save_device,
)
from hrcore.store.directory import (
    EmployeeAtSite,
    EmployeeIn,
    MappedDeviceUser,
    OrgUnitIn,
    ProtectionPeriod,
    RosterLimits,
    ShiftTypeIn,
    SiteIn,
    check_timezone,
    device_user_map,
    employee_page,
    get_employee,
    get_site,
    list_employees,
    list_sites,
    map_device_user,
    mapped_device_users,
    save_employee,
    save_org_unit,
    save_shift_type,
    save_site,
    site_code_of,
)
from hrcore.store.punches import (
    DayPunch,
    PunchActivity,
    PunchIn,
    PunchView,
    find_punches,
    insert_punches,
    punch_activity,
    punch_span,
    punches_around_day,
    utc_now,
)

__all__ = [
    "AuditIn",
    "AuditPage",
    "AuditView",
    "DayPunch",
    "DeviceIn",
    "EmployeeAtSite",
    "EmployeeIn",
    "MappedDeviceUser",
    "OrgUnitIn",
    "ProtectionPeriod",
    "PunchActivity",
    "PunchIn",
    "PunchView",
    "RosterLimits",
    "ShiftTypeIn",
    "SiteIn",
    "audit_of",
    "audit_page",
    "check_timezone",
    "device_secret",
    "device_user_map",
    "devices_by_serial",
    "employee_page",
    "find_device",
    "find_punches",
    "get_device",
    "get_employee",
    "get_site",
    "insert_punches",
    "list_employees",
    "list_sites",
    "map_device_user",
    "mapped_device_users",
    "punch_activity",
    "punch_span",
    "punches_around_day",
    "record_audit",
    "save_device",
    "save_employee",
    "save_org_unit",
    "save_shift_type",
    "save_site",
    "site_code_of",
    "utc_now",
]
