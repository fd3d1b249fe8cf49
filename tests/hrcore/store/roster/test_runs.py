"""Roster runs read back as summaries, a page at a time; a draft's cells edited, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.enums import PayBasis
from hrcore.errors import InvalidData, NotFound
from hrcore.models import AuditEntry, RosterStatus
from hrcore.store.roster import (
    employee_pay,
    find_run,
    publish,
    published_roster,
    roster_grid,
    roster_runs,
    run_stamp,
    save_draft_run,
    set_assignment,
)
from tests.hrcore.store.roster.test_roster import MON, SUN, T0, draft, seed


def test_runs_page_newest_first_and_stamps_follow_every_change(
    session_factory: sessionmaker[Session],
) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        first = save_draft_run(s, draft(ids, MON, SUN, [("A", MON, "D")]), at=T0, actor="t")
        second = save_draft_run(s, draft(ids, MON, SUN, []), at=T0, actor="t")
        before = run_stamp(s, first)
        publish(s, clock=lambda: T0, actor="t", run_id=first)
        after = run_stamp(s, first)
    assert before is not None and after is not None and before != after
    with session_factory() as s:
        page, total = roster_runs(s, site_id=ids["site"], limit=1)
        published, n_published = roster_runs(s, status=RosterStatus.PUBLISHED, limit=9)
        summary = find_run(s, first)
        assert (find_run(s, 999_999), run_stamp(s, 999_999)) == (None, None)
    assert ([r.id for r in page], total) == ([second], 2)
    assert ([r.id for r in published], n_published) == ([first], 1)
    assert summary is not None
    assert (summary.site_code, summary.status, summary.objective) == (
        "S1",
        RosterStatus.PUBLISHED,
        7,
    )


def test_a_draft_cell_is_set_cleared_and_audited_and_a_published_run_refused(
    session_factory: sessionmaker[Session],
) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        run = save_draft_run(s, draft(ids, MON, SUN, [("A", MON, "D")]), at=T0, actor="t")
        set_assignment(s, run, "A", MON, "N", actor="hr", now=T0)
        set_assignment(s, run, "C", SUN, "D", actor="hr", now=T0)
        set_assignment(s, run, "A", MON, "", actor="hr", now=T0)
        with pytest.raises(NotFound, match="no shift type 'X'"):
            set_assignment(s, run, "A", MON, "X", actor="hr", now=T0)
        edits = list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "roster_edit")))
        publish(s, clock=lambda: T0, actor="t", run_id=run)
        with pytest.raises(InvalidData, match="only drafts can be edited"):
            set_assignment(s, run, "A", MON, "D", actor="hr", now=T0)
    assert [(e["employee"], e["from"], e["to"]) for e in edits] == [
        ("A", "D", "N"),
        ("C", "", "D"),
        ("A", "N", ""),
    ]
    with session_factory() as s:
        roster = published_roster(s, ids["site"], MON, SUN)
        grid = roster_grid(s, "S1", MON, SUN)
        pay = employee_pay(s, ids["site"])
    assert [(a.employee_id, a.date) for a in roster.assignments] == [(ids["C"], SUN)]
    assert {r.employee_code: r.cells[0] for r in grid.rows} == {"A": "", "C": ""}
    assert [(p.code, p.pay_basis, p.base_pay) for p in pay] == [
        ("A", PayBasis.MONTHLY, Decimal("0.00")),
        ("B", PayBasis.MONTHLY, Decimal("0.00")),
        ("C", PayBasis.MONTHLY, Decimal("0.00")),
    ]
