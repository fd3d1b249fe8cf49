"""``/api/v1/me``, ``/api/v1/users`` and ``/api/v1/audit``: who is calling, who may, who did."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from gateway.api.deps import PrincipalDep, SessionDep, require
from gateway.api.errors import ERROR_RESPONSES
from gateway.api.pages import Page, PageDep
from gateway.auth.roles import ROLE_PERMISSIONS, Permission
from gateway.auth.service import Principal
from hrcore.enums import Role
from hrcore.store.audit import audit_page
from hrcore.store.users import list_users

router = APIRouter(prefix="/api/v1", tags=["users"], responses=ERROR_RESPONSES)


class MeOut(BaseModel):
    username: str
    role: Role
    via: str
    permissions: list[Permission]


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    disabled: bool
    has_password: bool
    tokens: int


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


@router.get("/me", response_model=MeOut)
def get_me(principal: PrincipalDep) -> MeOut:
    """The caller and what their role may do."""
    return MeOut(
        username=principal.username,
        role=principal.role,
        via=principal.via,
        permissions=sorted(ROLE_PERMISSIONS[principal.role]),
    )


@router.get("/users", response_model=list[UserOut])
def get_users(
    session: SessionDep, _: Annotated[Principal, Depends(require(Permission.USER_ADMIN))]
) -> list[UserOut]:
    """Every user (manage them with `shiftgate users`)."""
    return [
        UserOut(
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            disabled=u.disabled,
            has_password=u.has_password,
            tokens=u.tokens,
        )
        for u in list_users(session)
    ]


@router.get("/audit", response_model=Page[AuditOut])
def get_audit(
    session: SessionDep,
    page: PageDep,
    _: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditOut]:
    """The audit log, newest first."""
    found = audit_page(session, actor=actor, action=action, limit=page.limit, offset=page.offset)
    return Page(
        items=[
            AuditOut(
                at=r.at,
                actor=r.actor,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                detail=dict(r.detail),
            )
            for r in found.entries
        ],
        total=found.total,
        limit=page.limit,
        offset=page.offset,
    )
