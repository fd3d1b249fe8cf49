"""The audit log: append-only entries (the table refuses updates and deletes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditIn:
    at: datetime  # aware
    actor: str
    action: str
    entity: str
    entity_id: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


def record_audit(session: Session, entry: AuditIn) -> AuditEntry:
    """Append one entry to the audit log (which refuses updates and deletes)."""
    row = AuditEntry(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        detail=dict(entry.detail),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[AuditView, ...]
    total: int  # entries matching, over every page


def _view(row: AuditEntry) -> AuditView:
    return AuditView(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=dict(row.detail or {}),
    )


def audit_page(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    limit: int,
    offset: int = 0,
) -> AuditPage:
    """The audit log newest first, filtered by actor and action, one page of it."""
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
    return AuditPage(entries=tuple(_view(r) for r in rows), total=total)


def audit_of(session: Session, action: str, entity: str, entity_id: str) -> Sequence[AuditView]:
    """Every entry of ``action`` on one entity, oldest first."""
    rows = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == action,
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
        )
        .order_by(AuditEntry.id)
    )
    return tuple(_view(r) for r in rows)
