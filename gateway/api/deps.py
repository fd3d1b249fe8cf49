"""FastAPI dependencies: what a route may ask for, taken from ``app.state`` (built once in
:func:`gateway.app.create_app`, never from module globals)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[GatewayMetrics, Depends(get_metrics)]
SessionDep = Annotated[Session, Depends(get_session)]
