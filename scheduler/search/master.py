"""The master problem of price and dive: pick one row per person, pay the rows' own
costs and the cover lines' under/over costs.

Each demand line becomes one or more cover rows of the master LP (`cover_rows`): its target
always, its minimum and maximum when the policy makes them soft. `Master` is the restricted
master LP over the rows generated so far (GLOP, re-solved warm as rows are added); its
duals price the cover rows for the people's pricing problems (`pricing`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.model import Problem, Rule

log = logging.getLogger(__name__)

#: a row enters the master when its reduced cost is below minus this
ENTER_BELOW = 1e-6


class RowKind(StrEnum):
    """How a cover line's head count n meets the master's right-hand side."""

    TARGET = "target"  # n + under - over = target
    MINIMUM = "minimum"  # n + short >= minimum (soft minimum)
    MAXIMUM = "maximum"  # n - excess <= maximum (soft maximum)


@dataclass(frozen=True, slots=True)
class CoverRow:
    kind: RowKind
    day: int
    shift_id: str
    skill: str | None
    rhs: int
    #: cost of one unit of slack below (under/short) and above (over/excess)
    below: int
    above: int

    def dual_box(self) -> tuple[float, float]:
        """Prices of this row for which the Lagrangian bound stays finite."""
        if self.kind == RowKind.TARGET:
            return -self.above, self.below
        if self.kind == RowKind.MINIMUM:
            return 0.0, self.below
        return -self.above, 0.0


#: a worked day of a row: day index, shift id, skill
Cell = tuple[int, str, str | None]


@dataclass(frozen=True, slots=True)
class Column:
    """One person's whole row: cells (day index, shift id, skill) and its own cost."""

    cells: tuple[Cell, ...]
    cost: int

    def by_day(self) -> dict[int, Cell]:
        """The worked days: day index -> cell (a day not in it is off)."""
        return {cell[0]: cell for cell in self.cells}


def cover_rows(problem: Problem) -> list[CoverRow]:
    pol = problem.policy
    soft_min = pol.active(Rule.COVER_MINIMUM) and not pol.is_hard(Rule.COVER_MINIMUM)
    soft_max = pol.active(Rule.COVER_MAXIMUM) and not pol.is_hard(Rule.COVER_MAXIMUM)
    rows: list[CoverRow] = []
    for line in problem.demand:
        d = problem.index_of(line.day)
        if not 0 <= d < problem.days:
            continue
        key = (d, line.shift_id, line.skill)
        under, over = line.under_weight, line.over_weight
        rows.append(CoverRow(RowKind.TARGET, *key, line.target, under, over))
        if soft_min and line.minimum > 0:
            w = _weight(problem, Rule.COVER_MINIMUM)
            rows.append(CoverRow(RowKind.MINIMUM, *key, line.minimum, w, 0))
        if soft_max and line.maximum is not None:
            w = _weight(problem, Rule.COVER_MAXIMUM)
            rows.append(CoverRow(RowKind.MAXIMUM, *key, line.maximum, 0, w))
    return rows


def _weight(problem: Problem, rule: Rule) -> int:
    setting = problem.policy.setting(rule)
    return 0 if setting is None else setting.weight


class RowIndex:
    """Which cover rows a cell (day, shift, skill) counts in."""

    def __init__(self, rows: Sequence[CoverRow]) -> None:
        self.by_slot: dict[tuple[int, str], list[int]] = {}
        self.rows = rows
        for ri, r in enumerate(rows):
            self.by_slot.setdefault((r.day, r.shift_id), []).append(ri)
        #: `of` per cell, kept: the master and the pricers ask for the same cells every
        #: round (each added row, each reduced cost, each program row's cover)
        self._of: dict[tuple[int, str, str | None], list[int]] = {}

    def of(self, day: int, shift_id: str, skill: str | None) -> list[int]:
        """The rows the cell counts in (callers must not change the list)."""
        key = (day, shift_id, skill)
        found = self._of.get(key)
        if found is None:
            found = self._of[key] = [
                ri
                for ri in self.by_slot.get((day, shift_id), ())
                if self.rows[ri].skill is None or self.rows[ri].skill == skill
            ]
        return found

    def covered(self, col: Column, prices: Sequence[float]) -> float:
        """What the cover lines pay for `col`'s cells at `prices`."""
        return sum(prices[ri] for cell in col.cells for ri in self.of(*cell))


class Master:
    """The restricted master LP, grown one column at a time (GLOP re-solves warm)."""

    def __init__(self, people: int, rows: Sequence[CoverRow], index: RowIndex) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = rows
        self.index = index
        inf = self.lp.infinity()
        obj = self.lp.Objective()
        self.convexity = [self.lp.Constraint(1, 1) for _ in range(people)]
        self.cover: list[pywraplp.Constraint] = []
        for r in rows:
            if r.kind == RowKind.TARGET:
                c = self.lp.Constraint(r.rhs, r.rhs)
                under, over = self.lp.NumVar(0, inf, ""), self.lp.NumVar(0, inf, "")
                c.SetCoefficient(under, 1)
                c.SetCoefficient(over, -1)
                obj.SetCoefficient(under, r.below)
                obj.SetCoefficient(over, r.above)
            elif r.kind == RowKind.MINIMUM:
                c = self.lp.Constraint(r.rhs, inf)
                short = self.lp.NumVar(0, inf, "")
                c.SetCoefficient(short, 1)
                obj.SetCoefficient(short, r.below)
            else:
                c = self.lp.Constraint(-inf, r.rhs)
                excess = self.lp.NumVar(0, inf, "")
                c.SetCoefficient(excess, -1)
                obj.SetCoefficient(excess, r.above)
            self.cover.append(c)
        obj.SetMinimization()
        self.columns: list[list[Column]] = [[] for _ in range(people)]
        self.vars: list[list[pywraplp.Variable]] = [[] for _ in range(people)]
        self.seen: list[set[tuple[Cell, ...]]] = [set() for _ in range(people)]
        self.fixed: dict[int, int] = {}
        #: each person's days fixed by the dive: day -> the cell worked, or None (off)
        self.fixed_days: list[dict[int, Cell | None]] = [{} for _ in range(people)]

    def restricted(self) -> bool:
        """True once the dive has fixed anything (the LP no longer bounds the problem)."""
        return bool(self.fixed) or any(self.fixed_days)

    def add(self, person: int, col: Column) -> bool:
        if col.cells in self.seen[person]:
            return False
        self.seen[person].add(col.cells)
        usable = person not in self.fixed and self.fits(person, col)
        v = self.lp.NumVar(0, 1 if usable else 0, "")
        self.lp.Objective().SetCoefficient(v, col.cost)
        self.convexity[person].SetCoefficient(v, 1)
        for cell in col.cells:
            for ri in self.index.of(*cell):
                c = self.cover[ri]
                c.SetCoefficient(v, c.GetCoefficient(v) + 1)
        self.columns[person].append(col)
        self.vars[person].append(v)
        return True

    def fix(self, person: int, ci: int) -> None:
        self.fixed[person] = ci
        for i, v in enumerate(self.vars[person]):
            v.SetBounds(1 if i == ci else 0, 1 if i == ci else 0)

    def fits(self, person: int, col: Column) -> bool:
        """True when `col` works the person's fixed days as fixed."""
        days = self.fixed_days[person]
        if not days:
            return True
        worked = col.by_day()
        return all(worked.get(d) == cell for d, cell in days.items())

    def fix_days(self, person: int, days: dict[int, Cell | None]) -> None:
        """Fix some of the person's days (day -> cell worked, or None for off); their
        rows that work those days otherwise leave the LP."""
        self.fixed_days[person].update(days)
        for col, v in zip(self.columns[person], self.vars[person], strict=True):
            if v.ub() > 0 and not self.fits(person, col):
                v.SetBounds(0, 0)

    def solve(self) -> tuple[float, list[float], list[float]]:
        """LP value, cover-row prices (clipped to their boxes), person prices."""
        status = self.lp.Solve()
        if status == pywraplp.Solver.ABNORMAL:  # GLOP's warm state can lose its footing
            log.debug("master LP abnormal; solving it in a fresh GLOP")
            self._afresh()
            status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"master LP ended with status {status}")
        prices = []
        for r, c in zip(self.rows, self.cover, strict=True):
            lo, hi = r.dual_box()
            prices.append(min(hi, max(lo, c.dual_value())))
        return self.lp.Objective().Value(), prices, [c.dual_value() for c in self.convexity]

    def _afresh(self) -> None:
        """Move the master into a new GLOP instance (same variable and row order)."""
        proto = linear_solver_pb2.MPModelProto()
        self.lp.ExportModelToProto(proto)
        fresh = pywraplp.Solver.CreateSolver("GLOP")
        error = fresh.LoadModelFromProto(proto)
        if error:
            raise RuntimeError(f"master LP could not be copied: {error}")
        variables, rows = fresh.variables(), fresh.constraints()
        self.convexity = [rows[c.index()] for c in self.convexity]
        self.cover = [rows[c.index()] for c in self.cover]
        self.vars = [[variables[v.index()] for v in person] for person in self.vars]
        self.lp = fresh

    def weights(self, person: int) -> list[float]:
        return [v.solution_value() for v in self.vars[person]]

    def reduced_cost(self, person: int, col: Column, prices: Sequence[float], pi: float) -> float:
        return col.cost - self.index.covered(col, prices) - pi
