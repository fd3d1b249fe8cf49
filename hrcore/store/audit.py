"""The audit log: append-only entries (the table refuses updates and deletes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
