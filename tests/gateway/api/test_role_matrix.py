"""Every route x every role: the route's permission is the one this table expects, a role
without it gets 403 with the error body, a role with it is let through, and nobody gets in
without authentication. A new route fails here until it is added to the table."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from gateway.auth.roles import ROLE_PERMISSIONS, Permission
from hrcore.enums import Role
from tests.gateway.api.fixtures import Api

P = Permission
AUTHENTICATED = "authenticated"  # any role, but a caller there must be

#: (method, path) -> the permission the route needs
EXPECTED: dict[tuple[str, str], Permission | str] = {
    ("GET", "/api/v1/me"): AUTHENTICATED,
    ("GET", "/api/v1/users"): P.USER_ADMIN,
    ("GET", "/api/v1/audit"): P.AUDIT_READ,
    ("GET", "/api/v1/sites"): P.READ,
    ("GET", "/api/v1/sites/{code}"): P.READ,
    ("GET", "/api/v1/devices"): P.READ,
    ("GET", "/api/v1/devices/{serial}/commands"): P.READ,
    ("POST", "/api/v1/devices/{serial}/commands"): P.DEVICE_COMMAND,
    ("GET", "/api/v1/employees"): P.READ,
    ("GET", "/api/v1/employees/{code}"): P.READ,
    ("POST", "/api/v1/employees"): P.EMPLOYEE_WRITE,
    ("POST", "/api/v1/employees:import"): P.EMPLOYEE_WRITE,
    ("GET", "/api/v1/punches"): P.READ,
    ("POST", "/api/v1/punches:batch"): P.PUNCH_INGEST,
    ("GET", "/api/v1/rosters"): P.READ,
    ("GET", "/api/v1/rosters/{run_id}"): P.READ,
    ("PUT", "/api/v1/rosters/{run_id}/assignments"): P.ROSTER_WRITE,
    ("POST", "/api/v1/rosters/{run_id}/assignments:check"): P.READ,
    ("POST", "/api/v1/rosters:solve"): P.ROSTER_WRITE,
    ("GET", "/api/v1/jobs/{job_id}"): P.READ,
    ("POST", "/api/v1/rosters/{run_id}/publish"): P.ROSTER_WRITE,
    ("GET", "/api/v1/attendance/days"): P.READ,
    ("GET", "/api/v1/attendance/days/{employee}/{day}"): P.READ,
    ("GET", "/api/v1/corrections"): P.READ,
    ("POST", "/api/v1/corrections"): P.CORRECTION_REQUEST,
    ("POST", "/api/v1/corrections/{request_id}/approve"): P.CORRECTION_DECIDE,
    ("POST", "/api/v1/corrections/{request_id}/reject"): P.CORRECTION_DECIDE,
    ("GET", "/api/v1/risk"): P.READ,
    ("GET", "/api/v1/payroll/runs"): P.PAYROLL_READ,
    ("GET", "/api/v1/payroll/runs/{run_id}/lines"): P.PAYROLL_READ,
    ("GET", "/api/v1/payroll/runs/{run_id}/diff/{other}"): P.PAYROLL_READ,
    ("POST", "/api/v1/payroll/runs"): P.PAYROLL_WRITE,
    ("POST", "/api/v1/payroll/lock"): P.PAYROLL_WRITE,
    ("GET", "/metrics"): P.METRICS,
}
OPEN = {("GET", "/api/v1/health")}
#: values for path parameters that name nothing, so an admitted write changes nothing
PATH_VALUES = {"day": "2025-03-06"}


def _flatten(routes: list[Any]) -> list[APIRoute]:
    """APIRoutes, also inside included routers (newer FastAPI wraps each inclusion)."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif getattr(r, "original_router", None) is not None:
            out.extend(_flatten(list(r.original_router.routes)))
    return out


def _routes(api: Api) -> list[APIRoute]:
    app = api.client.app
    return [
        r
        for r in _flatten(list(app.routes))  # type: ignore[attr-defined]
        if r.path.startswith("/api/") or r.path == "/metrics"
    ]


def _permission_of(route: APIRoute) -> Permission | str | None:
    def walk(dependant: Any) -> Permission | str | None:
        found: Permission | str | None = None
        for sub in dependant.dependencies:
            perm = getattr(sub.call, "permission", None)
            if perm is not None:
                return perm
            if getattr(sub.call, "__name__", "") == "authenticate":
                found = AUTHENTICATED
            found = walk(sub) or found
        return found

    return walk(route.dependant)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "999999"), path)


def test_every_route_is_in_the_table_with_its_permission(api: Api) -> None:
    found: dict[tuple[str, str], Permission | str | None] = {}
    for route in _routes(api):
        for method in route.methods or ():
            found[(method, route.path)] = _permission_of(route)
    open_routes = {k for k, v in found.items() if v is None}
    assert open_routes == OPEN
    assert {k: v for k, v in found.items() if v is not None} == EXPECTED


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_route_admits_exactly_the_roles_of_its_permission(api: Api, method: str, path: str) -> None:
    need = EXPECTED[(method, path)]
    url = _url(path)
    body: dict[str, object] | None = {} if method in {"POST", "PUT"} else None
    r = api.client.request(method, url, json=body)
    assert r.status_code == 401, (method, path, r.status_code)
    assert r.json()["error"]["code"] == "unauthenticated"
    for role in Role:
        r = api.client.request(method, url, json=body, headers=api.auth(role))
        allowed = need == AUTHENTICATED or need in ROLE_PERMISSIONS[role]
        if allowed:
            assert r.status_code not in (401, 403), (role, method, path, r.text)
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)
            assert r.json()["error"]["code"] == "forbidden"
