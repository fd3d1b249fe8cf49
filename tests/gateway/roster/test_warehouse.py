"""The seeded warehouse generator: deterministic, shaped as documented, storable."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.roster.demand import parse_demand
from gateway.roster.policy import load_policy
from gateway.roster.service import build_problem
from gateway.roster.warehouse import demand_yaml, seed_store, warehouse_site
from hrcore.db import make_engine, make_session_factory
from hrcore.models import Leave
from tests.gateway.cli.test_roster_store_cmd import POLICY


def test_same_seed_same_site_other_seed_other_staff() -> None:
    a, b = warehouse_site(seed=3), warehouse_site(seed=3)
    assert a == b
    assert warehouse_site(seed=4).employees != a.employees


def test_shape_of_the_default_site() -> None:
    site = warehouse_site(seed=0)
    assert len(site.employees) == 200
    assert (site.date_from, site.date_to) == (date(2026, 10, 26), date(2026, 11, 22))
    skills = Counter(s for e in site.employees for s in e.skills)
    assert set(skills) == {"picker", "packer", "forklift", "lead"}
    assert [s.code for s in site.shifts] == ["D", "E", "N"]
    assert site.leaves
    lines = site.demand.lines(site.date_from, 28)

    def total(day: date) -> int:
        return sum(ln.target for ln in lines if ln.day == day)

    normal, saturday, peak = (
        total(date(2026, 11, 3)),
        total(date(2026, 11, 7)),
        total(date(2026, 11, 11)),
    )
    assert saturday > normal and peak > normal
    assert peak == sum(
        -(-ln.target * 12 // 10) for ln in lines if ln.day == date(2026, 11, 3)
    )  # x1.2, rounded up per line


def test_demand_round_trips_through_yaml() -> None:
    site = warehouse_site(seed=0, employees=25, weeks=1)
    again = parse_demand(demand_yaml(site.demand), source="gen")
    assert again == site.demand


def test_seeding_twice_changes_nothing_and_the_problem_builds(sqlite_url: str) -> None:
    factory: sessionmaker[Session] = make_session_factory(make_engine(sqlite_url))
    site = warehouse_site(seed=1, employees=30, weeks=2)
    for _ in range(2):
        with factory.begin() as s:
            seed_store(s, site)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Leave)) == len(site.leaves)
        sp = build_problem(
            s, site.site.code, site.date_from, site.date_to, load_policy(POLICY), site.demand
        )
    p = sp.problem
    assert len(p.employees) == 30 and p.days == 14 and len(p.demand) == 14 * 12
    leave_days = sum((lv.end - lv.start).days + 1 for lv in site.leaves)
    joiner = site.employees[0]  # hired in week 2: unavailable before
    before_hire = (joiner.hire_date - site.date_from).days
    assert len(p.absences) >= leave_days + before_hire - 1
    assert [s.night for s in p.shifts] == [False, False, True]
