"""Curtois-Qu instances 1-3 solve to their best known values; loader maps the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.curtois import load, parse
from scheduler.errors import InvalidProblem
from scheduler.evaluate import evaluate
from scheduler.model import SolveOptions, SolveStatus
from scheduler.solve import solve

DATA = Path(__file__).resolve().parents[1] / "data" / "curtois-qu"


def instance(n: int) -> Path:
    path = DATA / f"Instance{n}.txt"
    assert path.is_file(), f"benchmark data missing: {path}"
    return path


@pytest.mark.parametrize(("n", "best"), [(1, 607), (2, 828), (3, 1001)])
def test_small_instances_reach_best_known(n: int, best: int) -> None:
    p = load(instance(n))
    r = solve(p, SolveOptions(time_limit_s=120, workers=8, seed=1, lns=False))
    assert r.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert r.objective == best
    assert r.roster is not None
    ev = evaluate(p, r.roster)
    assert ev.violations == ()
    assert ev.objective == best == r.penalties.total


def test_loader_maps_instance1() -> None:
    p = load(instance(1))
    assert (p.days, len(p.employees), len(p.shifts)) == (14, 8, 1)
    assert p.start.weekday() == 0
    assert len([r for r in p.requests if r.want]) == 21
    assert len([r for r in p.requests if not r.want]) == 5
    assert len(p.demand) == 14
    a = p.employee("A")
    assert a.max_count_of("D") == 14 and a.max_total_minutes == 4320


def test_loader_rejects_garbage_with_the_file_named() -> None:
    with pytest.raises(InvalidProblem, match=r"bad\.txt"):
        parse("SECTION_HORIZON\n14\n", source="bad.txt")
    with pytest.raises(InvalidProblem, match="day 99"):
        parse(
            "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n"
            "A,D=14,4320,0,5,1,1,2\n\nSECTION_COVER\n99,D,1,100,1\n",
            source="x.txt",
        )
