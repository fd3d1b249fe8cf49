"""The strategy of `solve`: which searches run, in which order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scheduler import solve as solve_module
from scheduler.constraints.context import Context
from scheduler.curtois import load
from scheduler.model import SolveOptions, SolveStatus
from scheduler.search import complete
from scheduler.search import dive as price_and_dive
from scheduler.solve import solve

DATA = Path(__file__).resolve().parents[1] / "data" / "curtois-qu"


def test_a_dive_past_the_complete_searchs_share_hands_its_roster_straight_to_lns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dives: list[price_and_dive.Dive] = []

    def unproven_dive(*args: Any, **kwargs: Any) -> price_and_dive.Dive:
        found = real_dive(*args, **kwargs)
        assert found is not None
        dives.append(replace(found, bound=0))  # so the solve goes on after it
        return dives[-1]

    def complete_search(ctx: Context, *args: Any) -> Any:
        if ctx.p is p:  # not the dive's own end-game solves
            raise AssertionError("the complete search ran")
        return real_search(ctx, *args)

    real_dive, real_search = price_and_dive.dive, complete.first_search
    monkeypatch.setattr(price_and_dive, "dive", unproven_dive)
    monkeypatch.setattr(complete, "first_search", complete_search)
    monkeypatch.setattr(solve_module, "SMALL_MODEL_CELLS", 0)  # Instance1 counts as large
    p = load(DATA / "Instance1.txt")
    # the complete search's share ends at once: the dive always ends after it
    r = solve(p, SolveOptions(time_limit_s=4, workers=2, first_solve_share=0.0))
    assert r.status == SolveStatus.FEASIBLE and r.roster is not None  # re-scored by solve
    assert len(dives) == 1 and r.objective is not None and r.objective <= dives[0].objective
    assert r.first_solution_s is not None and r.first_solution_s <= dives[0].seconds + 1
    # with the whole limit as its share, the same solve goes through the complete search
    with pytest.raises(AssertionError, match="the complete search ran"):
        solve(p, SolveOptions(time_limit_s=60, workers=2, first_solve_share=1.0))
