"""The audit log's reads: a page newest first with filters, and the entries of one entity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from hrcore.store import AuditIn, audit_of, audit_page, record_audit

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def fill(factory: sessionmaker[Session]) -> None:
    entries = [
        ("hr1", "roster_edit", "roster_run", "7", {"employee": "E1", "to": "D"}),
        ("hr2", "roster_edit", "roster_run", "7", {"employee": "E1", "to": "N"}),
        ("hr1", "roster_edit", "roster_run", "8", {"employee": "E2", "to": "D"}),
        ("hr1", "user_add", "user", "pay1", {"role": "payroll"}),
    ]
    with factory.begin() as s:
        for i, (actor, action, entity, entity_id, detail) in enumerate(entries):
            record_audit(
                s,
                AuditIn(T0 + timedelta(minutes=i), actor, action, entity, entity_id, detail),
            )


def test_a_page_of_the_log_is_newest_first_filtered_and_counted(
    session_factory: sessionmaker[Session],
) -> None:
    fill(session_factory)
    with session_factory() as s:
        everything = audit_page(s, limit=2)
        by_hr1 = audit_page(s, actor="hr1", action="roster_edit", limit=10)
        second_page = audit_page(s, limit=2, offset=2)
    assert everything.total == 4
    assert [e.action for e in everything.entries] == ["user_add", "roster_edit"]
    assert [e.entity_id for e in by_hr1.entries] == ["8", "7"] and by_hr1.total == 2
    assert [e.actor for e in second_page.entries] == ["hr2", "hr1"]


def test_the_entries_of_one_entity_come_oldest_first(
    session_factory: sessionmaker[Session],
) -> None:
    fill(session_factory)
    with session_factory() as s:
        edits = audit_of(s, "roster_edit", "roster_run", "7")
        none = audit_of(s, "roster_edit", "roster_run", "9")
    assert [(e.actor, e.detail["to"]) for e in edits] == [("hr1", "D"), ("hr2", "N")]
    assert none == ()
