"""One router per resource, composed here in the order the OpenAPI document lists them."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.routes import health, metrics, punches, push, users

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    users.router,
    punches.router,
    metrics.router,
    push.router,
)
