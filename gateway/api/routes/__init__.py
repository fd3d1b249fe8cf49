"""One router per resource, composed here in the order the OpenAPI document lists them."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.routes import (
    attendance,
    employees,
    health,
    metrics,
    payroll,
    punches,
    push,
    rosters,
    sites,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    users.router,
    sites.router,
    employees.router,
    punches.router,
    rosters.router,
    attendance.router,
    payroll.router,
    metrics.router,
    push.router,
)
