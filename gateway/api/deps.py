"""FastAPI dependencies: what a route may ask for, taken from ``app.state`` (built once in
:func:`gateway.app.create_app`, never from module globals)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.errors import ApiError
from gateway.api.state import AppState
from gateway.auth.roles import Permission
from gateway.auth.secrets import same
from gateway.auth.service import Principal, principal_from_session, principal_from_token
from gateway.metrics import GatewayMetrics
from gateway.settings import Settings
from hrcore.enums import Role
from hrcore.store import AuditIn, record_audit

#: the web UI's session cookie (HttpOnly, SameSite=Strict; Secure unless turned off)
SESSION_COOKIE = "sg_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def authenticate(
    request: Request,
    state: StateDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller: a bearer token (a user's API token, or the legacy SHIFTGATE_API_TOKEN that
    gateways send as centre.token), else the web UI's session cookie. Writes through a
    session need the session's CSRF token in the X-CSRF-Token header."""
    if authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise _unauthenticated("Authorization must be `Bearer <token>`")
        legacy = state.settings.api_token
        if legacy is not None and same(given, legacy):
            return Principal(username="gateway", role=Role.GATEWAY, via="legacy-token")
        with state.session_factory() as session:
            principal = principal_from_token(session, given)
        if principal is None:
            raise _unauthenticated(
                "unknown, revoked or disabled token; issue one with `shiftgate users token "
                "NAME`, and for a gateway set centre.token in its config/gateway.yaml"
            )
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with state.session_factory() as session:
            found = principal_from_session(session, cookie, now=state.clock())
        if found is None:
            raise _unauthenticated("the session has expired or was closed; log in again")
        if request.method not in _SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if found.csrf_token is None or not same(sent, found.csrf_token):
                raise ApiError(
                    403,
                    f"a write through a web session needs the {CSRF_HEADER} header of that session",
                    code="csrf_failed",
                )
        return found
    raise _unauthenticated(
        "authentication needed: send `Authorization: Bearer <token>` "
        "(`shiftgate users token NAME` issues one; a gateway sends its centre.token) "
        "or log in to the web UI"
    )


PrincipalDep = Annotated[Principal, Depends(authenticate)]


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency that admits only callers whose role holds ``permission``."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.may(permission):
            raise ApiError(
                403,
                f"role {principal.role} of {principal.username!r} may not {permission}; "
                "ask an admin for a user with a role that may",
            )
        return principal

    check.permission = permission  # type: ignore[attr-defined]  # read by the role-matrix test
    return check


def audit(
    session: Session,
    principal: Principal,
    now: datetime,
    action: str,
    entity: str,
    entity_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit entry for a write, in the route's transaction."""
    record_audit(
        session,
        AuditIn(
            at=now,
            actor=principal.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail or {},
        ),
    )


SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[GatewayMetrics, Depends(get_metrics)]
SessionDep = Annotated[Session, Depends(get_session)]
