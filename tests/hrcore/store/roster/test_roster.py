"""The roster store: the frozen reads rostering builds its problem from, drafts, publishing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.errors import InvalidData, NotFound
from hrcore.models import AuditEntry, Leave, LeaveKind, ProtectionKind, RosterRun, RosterStatus
from hrcore.store import (
    EmployeeIn,
    ProtectionPeriod,
    RosterLimits,
    ShiftTypeIn,
    SiteIn,
    get_site,
    save_employee,
    save_shift_type,
    save_site,
)
from hrcore.store.roster import (
    DraftIn,
    PlannedShift,
    StoredAssignment,
    approved_leave,
    employees_working,
    import_published_roster,
    protections,
    publish,
    published_roster,
    roster_grid,
    save_draft_run,
    shift_types,
)

MON = date(2026, 3, 9)
SUN = MON + timedelta(days=6)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def seed(factory: sessionmaker[Session]) -> dict[str, int]:
    """Site S1: shifts N (night) and D, employees A (no nights Tue-Wed), B (left before the
    week), C (joins Wednesday); A has approved leave Monday, C a request only."""
    with factory.begin() as s:
        site = save_site(s, SiteIn("S1", "Site", "Asia/Shanghai"))
        ids = {"site": site.id}
        ids["N"] = save_shift_type(s, site, ShiftTypeIn("N", time(22), time(6))).id
        ids["D"] = save_shift_type(
            s, site, ShiftTypeIn("D", time(6), time(14), break_minutes=30)
        ).id
        night_off = ProtectionPeriod(
            ProtectionKind.NO_NIGHTS, MON + timedelta(1), MON + timedelta(2)
        )
        for code, hire, left, limits in (
            (
                "A",
                date(2025, 1, 1),
                None,
                RosterLimits(min_rest_minutes=600, protections=(night_off,)),
            ),
            ("B", date(2025, 1, 1), MON - timedelta(days=1), RosterLimits()),
            ("C", MON + timedelta(days=2), None, RosterLimits()),
        ):
            employee = EmployeeIn(code, f"name {code}", hire, exit_date=left, limits=limits)
            ids[code] = save_employee(s, site, employee).id
        for emp, approved in (("A", True), ("C", False)):
            s.add(
                Leave(
                    employee_id=ids[emp],
                    kind=LeaveKind.ANNUAL,
                    start_date=MON,
                    end_date=MON,
                    approved=approved,
                )
            )
    return ids


def draft(
    ids: dict[str, int], start: date, end: date, cells: list[tuple[str, date, str]]
) -> DraftIn:
    return DraftIn(
        site_id=ids["site"],
        site_code="S1",
        date_from=start,
        date_to=end,
        objective=7,
        status="optimal",
        penalty_report=(),
        assignments=tuple(StoredAssignment(ids[e], d, ids[sh], None) for e, d, sh in cells),
    )


def test_reads_are_frozen_and_in_code_order(session_factory: sessionmaker[Session]) -> None:
    ids = seed(session_factory)
    with session_factory() as s:
        shifts = shift_types(s, ids["site"])
        staff = employees_working(s, ids["site"], MON, SUN)
        guarded = protections(s, [ids["A"], ids["C"]], MON, SUN)
        leave = approved_leave(s, [ids["A"], ids["C"]], MON, SUN)
    assert [(t.code, t.start, t.end, t.break_minutes) for t in shifts] == [
        ("D", time(6), time(14), 30),
        ("N", time(22), time(6), 0),
    ]
    assert [e.code for e in staff] == ["A", "C"]  # B left before the week
    a, c = staff
    assert (a.min_rest_minutes, a.works_on(MON), c.works_on(MON), c.works_on(SUN)) == (
        600,
        True,
        False,
        True,
    )
    assert [(p.employee_id, p.kind, p.start) for p in guarded] == [
        (ids["A"], ProtectionKind.NO_NIGHTS, MON + timedelta(1))
    ]
    assert [(lv.employee_id, lv.start) for lv in leave] == [(ids["A"], MON)]  # C only asked
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.code = "Z"  # type: ignore[misc]


def test_publishing_makes_the_newest_run_in_force(session_factory: sessionmaker[Session]) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        week = save_draft_run(
            s, draft(ids, MON, SUN, [("A", MON, "D"), ("A", SUN, "N")]), at=T0, actor="t"
        )
        publish(s, clock=lambda: T0, actor="t", run_id=week)
        later = T0 + timedelta(hours=1)
        fix = save_draft_run(s, draft(ids, SUN, SUN, [("C", SUN, "D")]), at=later, actor="t")
        done = publish(
            s, clock=lambda: later, actor="t", site_code="S1", date_from=SUN, date_to=SUN
        )
    assert (done.run_id, done.superseded, done.overridden) == (fix, (), (week,))
    with session_factory() as s:
        roster = published_roster(s, ids["site"], MON, SUN)
        grid = roster_grid(s, "S1", MON, SUN)
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        statuses = {i: st for i, st in s.execute(select(RosterRun.id, RosterRun.status))}
    assert roster.in_force[MON] == week and roster.in_force[SUN] == fix
    assert sorted((a.employee_id, a.date) for a in roster.assignments) == [
        (ids["A"], MON),
        (ids["C"], SUN),
    ]
    assert grid.source == f"published roster (runs {week}, {fix})"
    assert {r.employee_code: (r.cells[0], r.cells[-1]) for r in grid.rows} == {
        "A": ("D", ""),
        "C": ("", "D"),
    }
    assert statuses == {week: RosterStatus.PUBLISHED, fix: RosterStatus.PUBLISHED}
    assert actions == ["roster.draft", "roster.publish", "roster.draft", "roster.publish"]


def test_a_run_wholly_inside_the_new_one_is_superseded(
    session_factory: sessionmaker[Session],
) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        old = save_draft_run(s, draft(ids, MON, MON, [("A", MON, "N")]), at=T0, actor="t")
        publish(s, clock=lambda: T0, actor="t", run_id=old)
        new = save_draft_run(s, draft(ids, MON, SUN, [("A", MON, "D")]), at=T0, actor="t")
        done = publish(s, clock=lambda: T0 + timedelta(1), actor="t", run_id=new)
        assert done.superseded == (old,)
        with pytest.raises(InvalidData, match="not a draft"):
            publish(s, clock=lambda: T0, actor="t", run_id=new)
    with session_factory() as s:
        assert s.get(RosterRun, old).status == RosterStatus.SUPERSEDED  # type: ignore[union-attr]


def test_the_grid_falls_back_to_the_newest_draft(session_factory: sessionmaker[Session]) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        with pytest.raises(NotFound, match="run `shiftgate roster solve` first"):
            roster_grid(s, "S1", MON, SUN)
        run = save_draft_run(s, draft(ids, MON, SUN, [("C", SUN, "N")]), at=T0, actor="t")
    with session_factory() as s:
        grid = roster_grid(s, "S1", MON, SUN)
        assert published_roster(s, ids["site"], MON, SUN).in_force == {}
        with pytest.raises(NotFound, match="no draft roster"):
            publish(s, clock=lambda: T0, actor="t", site_code="S1", date_from=MON, date_to=MON)
    assert (grid.source, grid.runs) == (f"draft run {run} (not published)", (run,))
    assert [r.employee_code for r in grid.rows] == ["A", "C"]
    assert grid.rows[1].cells[-1] == "N"


def test_a_roster_published_elsewhere_is_imported_by_codes(
    session_factory: sessionmaker[Session],
) -> None:
    ids = seed(session_factory)
    with session_factory.begin() as s:
        site = get_site(s, "S1")
        with pytest.raises(NotFound, match="shift type 'X' is not one of the site's"):
            import_published_roster(s, site, MON, SUN, [PlannedShift("A", MON, "X")], at=T0)
        assert s.scalar(select(RosterRun.id)) is None  # nothing partial
        run = import_published_roster(
            s, site, MON, SUN, [PlannedShift("A", MON, "D"), PlannedShift("C", SUN, "N")], at=T0
        )
    with session_factory() as s:
        stored = s.get(RosterRun, run)
        roster = published_roster(s, ids["site"], MON, SUN)
    assert stored is not None
    assert (stored.status, stored.objective, stored.published_at) == (
        RosterStatus.PUBLISHED,
        None,
        T0,
    )
    assert sorted((a.employee_id, a.date, a.shift_type_id) for a in roster.assignments) == [
        (ids["A"], MON, ids["D"]),
        (ids["C"], SUN, ids["N"]),
    ]
