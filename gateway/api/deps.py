"""FastAPI dependencies: what a route may ask for, taken from ``app.state`` (built once in
:func:`gateway.app.create_app`, never from module globals)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.state import AppState
from gateway.metrics import GatewayMetrics
from gateway.settings import Settings


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.shiftgate
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_metrics(state: StateDep) -> GatewayMetrics:
    return state.metrics


def get_session_factory(state: StateDep) -> sessionmaker[Session]:
    return state.session_factory


def get_session(state: StateDep) -> Iterator[Session]:
    with state.session_factory() as session:
        yield session


def require_token(
    settings: Annotated[Settings, Depends(get_settings)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """When ``SHIFTGATE_API_TOKEN`` is set, writes need ``Authorization: Bearer <token>``."""
    expected = settings.api_token
    if expected is None:
        return
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong bearer token; set centre.token in the gateway's "
            "config/gateway.yaml to this instance's SHIFTGATE_API_TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[GatewayMetrics, Depends(get_metrics)]
SessionDep = Annotated[Session, Depends(get_session)]
