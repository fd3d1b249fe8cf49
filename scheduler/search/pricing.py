"""One person's pricing problem: the cheapest row at the master's prices, every one of
the person's hard rules holding - by the row program (`row_dp`) where it settles it, else
by a one-person CP-SAT model built once and re-solved with new objective coefficients."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.constraints import build
from scheduler.constraints.context import Context
from scheduler.model import Problem
from scheduler.search import by_employee
from scheduler.search.master import ENTER_BELOW, Cell, Column, RowIndex
from scheduler.search.row_dp import RowProgram

#: dual prices are scaled to integers for the CP-SAT pricing problems
SCALE = 1000


@dataclass(frozen=True, slots=True)
class Priced:
    """One pricing solve: the rows found, a lower bound on the priced row cost (None if
    unknown), whether the pricing is settled (the cheapest row proven, or no row below
    the person's price), whether the person has no row at all."""

    columns: list[Column]
    low: float | None
    complete: bool
    infeasible: bool


class Pricer:
    """One person's pricing problem: their hard rules and own costs, built once."""

    def __init__(self, problem: Problem, employee_id: str, index: RowIndex, seed: int) -> None:
        sub = by_employee.subproblem(problem, [employee_id], [], None)
        free = tuple(
            replace(x, target=0, minimum=0, maximum=None, under_weight=0, over_weight=0)
            for x in sub.demand
        )
        # the cover lines stay (they name the skill roles) but cost nothing here
        self.ctx: Context = build(replace(sub, demand=free))
        self.seed = seed
        self.days = problem.days
        self.cells: list[tuple[cp_model.IntVar, tuple[int, str, str | None], list[int]]] = []
        for d in range(problem.days):
            for (s, k), v in self.ctx.x[0][d].items():
                cell = (d, problem.shifts[s].id, k)
                self.cells.append((v, cell, index.of(*cell)))
        self.index = index
        #: the same problem as a dynamic program over the days, when the person's rules
        #: allow one (None: CP-SAT prices every round)
        self.program = RowProgram.of(
            replace(sub, demand=free),
            [list(self.ctx.y[0][d]) for d in range(problem.days)],
            [(cell, rows) for _v, cell, rows in self.cells],
        )

    def by_program(self, prices: Sequence[float], pi: float | None) -> Priced | None:
        """The dynamic program's pricing when it settles it: its row is proven cheapest,
        or one prices below `pi` (the person's price in the master; None: any row will
        do), or its bound shows none does. None when CP-SAT must price."""
        if self.program is None:
            return None
        target = math.inf if pi is None else pi - ENTER_BELOW
        got = self.program.price(prices, target)
        if got is None:
            return None
        cols = [Column(cells, cost) for cells, cost in got.rows]
        best = min(c.cost - self.index.covered(c, prices) for c in cols)
        if got.complete or best < target:
            return Priced(cols, got.low, complete=got.complete, infeasible=False)
        if got.low >= target:  # no row enters: as settled as a proven cheapest row
            return Priced(cols, got.low, complete=True, infeasible=False)
        return None

    def solve(self, prices: Sequence[float], time_limit: float) -> Priced:
        """Rows found by CP-SAT on the way to the cheapest one under `prices`, and a lower
        bound on min(own cost - priced cover)."""
        terms: list[cp_model.LinearExprT] = [SCALE * t.weight * t.expr for t in self.ctx.terms]
        for v, _cell, rows in self.cells:
            c = sum(prices[ri] for ri in rows)
            if c:
                terms.append(-round(c * SCALE) * v)
        self.ctx.model.minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        # one light presolve pass: a person's model is small and solved thousands of times;
        # the full LP relaxation proves a row optimal far sooner (Curtois-Qu Instance16,
        # 56 days: a pricing round of 20 people 10-14 s -> 0.5 s)
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.linearization_level = 2
        found: list[Column] = []
        status = solver.solve(self.ctx.model, Collect(self, found))
        if status == cp_model.INFEASIBLE:
            return Priced(found, None, complete=True, infeasible=True)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Priced(found, None, complete=False, infeasible=False)
        # each true cell's price was rounded by at most 0.5 / SCALE; a row has <= days cells
        low = (solver.best_objective_bound - 0.5 * self.days) / SCALE
        return Priced(found, low, complete=status == cp_model.OPTIMAL, infeasible=False)

    def fix_days(self, days: dict[int, Cell | None]) -> None:
        """Only rows that spend these days as given (a cell, or None: off) from now on."""
        self.program = None  # the program knows no fixed days; CP-SAT prices from now on
        for v, cell, _rows in self.cells:
            if cell[0] in days:
                self.ctx.model.add(v == int(days[cell[0]] == cell))

    def column(self, solver: cp_model.CpSolverSolutionCallback) -> Column:
        cells = tuple(cell for v, cell, _rows in self.cells if solver.value(v))
        return Column(cells, self.ctx.objective_value(solver))


class Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, pricer: Pricer, out: list[Column]) -> None:
        super().__init__()
        self.pricer = pricer
        self.out = out

    def on_solution_callback(self) -> None:
        self.out.append(self.pricer.column(self))
