"""Rosters by column generation and diving ("price and dive").

When no hard rule ties two people together and the soft costs are each one person's own
or one cover line's, a roster is one *row* (a column of the master problem) per person:

    minimise  sum of the chosen rows' own costs + the cover lines' under/over costs
    such that every person gets exactly one row.

The linear relaxation of that master problem over every row a person could work is a
very tight bound for rostering (the Curtois-Qu lower bounds are this bound rounded up).
Rows are generated on demand: the master LP (GLOP) prices every cover line; each
person's *pricing* problem - the cheapest row under those prices, all of the person's
hard rules holding - is, at the root, a dynamic program over the days (`row_dp`) where
their rules allow one, and a one-person CP-SAT model, built once and re-solved with new
objective coefficients, where they do not, the program cannot settle it, or the dive
re-generates rows. Once no row prices below zero the LP is optimal; the dive then fixes
the people whose LP row is (nearly) whole, or else the heaviest one, re-generates rows
for the others, and repeats until everybody has a row: a roster whose cost is usually
within a few points of the bound. When a person a step would not finish in time, a step
fixes single days instead (how the person's heaviest row spends the day, where their LP
rows agree most): the LP barely moves, where fixing several people's whole rows at once
let it climb by thousands (Curtois-Qu Instance13: a dive roster of 6,219 by people, 1,350
by days against a best known 1,348). Every pricing round also gives a Lagrangian lower
bound, valid whatever the LP's state, so a roster at that bound is proven optimal.
"""

from __future__ import annotations

import logging
import math
import time as _time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum

from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat.python import cp_model

from scheduler.constraints import build
from scheduler.constraints.context import Context
from scheduler.evaluate import evaluate
from scheduler.model import (
    Assignment,
    Building,
    Problem,
    Roster,
    Rule,
    SolveOptions,
    whole_bound,
)
from scheduler.search import by_employee
from scheduler.search.row_dp import RowProgram

Solver = by_employee.Solver

log = logging.getLogger(__name__)

#: dual prices are scaled to integers for the CP-SAT pricing problems
SCALE = 1000
#: a row enters the master when its reduced cost is below minus this
ENTER_BELOW = 1e-6
#: a person's LP row counts as whole from this weight on (fixed without a choice)
WHOLE = 0.99
#: share of the dive's time the root column generation may take before diving anyway
ROOT_SHARE = 0.5
#: after a fixing step of the dive, column generation stops once the LP is within this
#: share of its Lagrangian bound: the last rounds add few rows and move it by hundredths
#: (Curtois-Qu Instance8: the dive's steps took 32 s converged, 19 s with this)
TAIL_GAP = 0.003
#: column-generation rounds after each fixing step of the dive
DIVE_ROUNDS = 30
#: seconds one pricing problem may take (a person's row over a few weeks takes ms)
PRICE_LIMIT_S = 5.0
#: seconds a person's first row may take, whatever the deadline (the master needs one)
FIRST_ROW_LIMIT_S = 60.0
#: the dive's last people (at most this many employee-days) are solved together by
#: CP-SAT against the cover of the fixed ones: the LP's last fractional rows often have
#: no whole combination, and a joint search finds the best one
ENDGAME_CELLS = 150
#: share of the time left that the joint search of the last people may take
ENDGAME_SHARE = 0.5
#: a dive step's re-generation may take this many times its fair share of the time left
#: (the share of the free people the step fixes). Curtois-Qu Instance19 at 300 s, seeds
#: 0/1: 14.39 / 7.84 % with 2, 6.07 / 9.75 % with 1, 30.45 / 14.29 % with 3, and 11.08 %
#: on seed 0 with no cap (its first step took 100 s); Instance8 at 60 s, seeds 0/1/2:
#: 0.92 / 0.38 / 0.69 % with 2, 8.15 / 0.23 / 8.15 % with 1 (late steps cut before the LP
#: settles), 0.92 / 0.38 / 16.15 % with no cap
STEP_SHARE = 2.0
#: the dive fixes people (every whole one, else the heaviest) when its first step's time
#: allows at most this many per step; beyond, its steps fix days (see the module's notes)
PEOPLE_A_STEP = 1


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


@dataclass(frozen=True, slots=True)
class Dive:
    roster: Roster
    objective: int
    #: proven lower bound on every roster's objective (rounded up)
    bound: int
    root_lp: float
    columns: int
    seconds: float


def usable(problem: Problem) -> bool:
    """True when the objective splits into per-person and per-cover-line parts and no
    hard rule ties people together."""
    if not by_employee.separable(problem):
        return False
    pol = problem.policy
    return not any(pol.active(r) for r in (Rule.FAIR_NIGHTS, Rule.FAIR_WEEKENDS))


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


class _RowIndex:
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


@dataclass(frozen=True, slots=True)
class _Priced:
    """One pricing solve: the rows found, a lower bound on the priced row cost (None if
    unknown), whether the pricing is settled (the cheapest row proven, or no row below
    the person's price), whether the person has no row at all."""

    columns: list[Column]
    low: float | None
    complete: bool
    infeasible: bool


class _Pricer:
    """One person's pricing problem: their hard rules and own costs, built once."""

    def __init__(self, problem: Problem, employee_id: str, index: _RowIndex, seed: int) -> None:
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

    def by_program(self, prices: Sequence[float], pi: float | None) -> _Priced | None:
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
            return _Priced(cols, got.low, complete=got.complete, infeasible=False)
        if got.low >= target:  # no row enters: as settled as a proven cheapest row
            return _Priced(cols, got.low, complete=True, infeasible=False)
        return None

    def solve(self, prices: Sequence[float], time_limit: float) -> _Priced:
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
        status = solver.solve(self.ctx.model, _Collect(self, found))
        if status == cp_model.INFEASIBLE:
            return _Priced(found, None, complete=True, infeasible=True)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Priced(found, None, complete=False, infeasible=False)
        # each true cell's price was rounded by at most 0.5 / SCALE; a row has <= days cells
        low = (solver.best_objective_bound - 0.5 * self.days) / SCALE
        return _Priced(found, low, complete=status == cp_model.OPTIMAL, infeasible=False)

    def fix_days(self, days: dict[int, Cell | None]) -> None:
        """Only rows that spend these days as given (a cell, or None: off) from now on."""
        self.program = None  # the program knows no fixed days; CP-SAT prices from now on
        for v, cell, _rows in self.cells:
            if cell[0] in days:
                self.ctx.model.add(v == int(days[cell[0]] == cell))

    def column(self, solver: cp_model.CpSolverSolutionCallback) -> Column:
        cells = tuple(cell for v, cell, _rows in self.cells if solver.value(v))
        return Column(cells, self.ctx.objective_value(solver))


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, pricer: _Pricer, out: list[Column]) -> None:
        super().__init__()
        self.pricer = pricer
        self.out = out

    def on_solution_callback(self) -> None:
        self.out.append(self.pricer.column(self))


class _Master:
    """The restricted master LP, grown one column at a time (GLOP re-solves warm)."""

    def __init__(self, people: int, rows: Sequence[CoverRow], index: _RowIndex) -> None:
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


class _Generator:
    """Column generation over the people not yet fixed."""

    def __init__(self, problem: Problem, seed: int, threads: int) -> None:
        self.problem = problem
        self.rows = cover_rows(problem)
        index = _RowIndex(self.rows)
        self.master = _Master(len(problem.employees), self.rows, index)
        self.pricers = [_Pricer(problem, e.id, index, seed) for e in problem.employees]
        self.pool = ThreadPoolExecutor(max(1, threads))
        self.prices = [r.below / 2 if r.kind != RowKind.MAXIMUM else 0.0 for r in self.rows]
        self.pi = [0.0] * len(problem.employees)
        self.lp: float | None = None
        self.bound = -math.inf
        #: called after every round (the dive reports its progress from it)
        self.after_round: Callable[[], None] | None = None
        #: the last round's Lagrangian bound on the master with its fixed rows
        self.lagrange: float | None = None
        #: price by the people's dynamic programs where they settle it (the root). The
        #: dive turns this off: a program settles a person with a row that merely enters,
        #: where CP-SAT brings the cheapest and every improving row on the way, and the
        #: dive's re-generation went slower with the programs' rows (Curtois-Qu Instance8
        #: at 60 s, seeds 0/1/2: 8.0-8.2 % with them, 0.38-16 % without, median 0.92 %)
        self.programs = True

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def proven(self) -> int | None:
        """The proven lower bound on every roster's objective (None before a whole
        pricing round is proven; never below 0, as no penalty is)."""
        return max(0, whole_bound(self.bound)) if self.bound > -math.inf else None

    def round(self, deadline: float) -> tuple[int, bool] | None:
        """Price every free person once, add the rows that price below zero and re-solve
        the master: (rows added, every pricing proven); None if somebody has no row."""
        free = [i for i in range(len(self.pricers)) if i not in self.master.fixed]
        results = self._price(free, self.prices, deadline)
        for i, res in zip(free, results, strict=True):
            if res.infeasible or not (res.columns or self.master.columns[i]):
                return None
        added = sum(self._enter(i, r) for i, r in zip(free, results, strict=True))
        self.lagrange = self._lagrange(free, self.prices, results)
        if self.lagrange is not None and not self.master.restricted():
            self.bound = max(self.bound, self.lagrange)
        self.lp, self.prices, self.pi = self.master.solve()
        log.debug(
            "round free=%d added=%d lp=%.2f lagrange=%s",
            len(free),
            added,
            self.lp,
            self.lagrange,
        )
        if self.after_round is not None:
            self.after_round()
        return added, all(r.complete for r in results)

    def _price(self, free: list[int], prices: Sequence[float], deadline: float) -> list[_Priced]:
        """Each free person's pricing: by their dynamic program where it settles it (in
        this thread: the programs hold the interpreter lock), else by CP-SAT in the pool."""
        out: list[_Priced | None] = [
            self.pricers[i].by_program(prices, self.pi[i] if self.master.columns[i] else None)
            if self.programs
            else None
            for i in free
        ]

        def run(j: int) -> _Priced:
            i = free[j]
            if not self.master.columns[i]:  # the master needs one row of everybody
                return self.pricers[i].solve(prices, FIRST_ROW_LIMIT_S)
            left = deadline - _time.monotonic()
            return self.pricers[i].solve(prices, min(PRICE_LIMIT_S, max(0.05, left)))

        todo = [j for j, res in enumerate(out) if res is None]
        for j, solved in zip(todo, self.pool.map(run, todo), strict=True):
            out[j] = solved
        priced: list[_Priced] = []
        for res in out:
            assert res is not None  # every person was priced one way or the other
            priced.append(res)
        return priced

    def _enter(self, person: int, priced: _Priced) -> int:
        """Add the person's rows that price below zero at the LP's own prices."""
        added = 0
        for col in priced.columns:
            rc = self.master.reduced_cost(person, col, self.prices, self.pi[person])
            if self.lp is None or rc < -ENTER_BELOW:
                added += self.master.add(person, col)
        return added

    def _lagrange(
        self, free: list[int], prices: Sequence[float], results: Sequence[_Priced]
    ) -> float | None:
        """The Lagrangian bound at `prices` of the master with the fixed people's rows
        (the whole problem's bound when nobody is fixed); None if a pricing has none."""
        if any(r.low is None for r in results):
            return None
        value = sum(p * r.rhs for p, r in zip(prices, self.rows, strict=True))
        value += sum(r.low for r in results if r.low is not None)
        for person, ci in self.master.fixed.items():
            value += self.master.reduced_cost(person, self.master.columns[person][ci], prices, 0)
        return value

    def converge(self, rounds: int, deadline: float, tail: float = 0.0) -> bool | None:
        """Rounds (one at least: after a fixing the LP is stale) until no row enters,
        `rounds` are done or `deadline`, or the LP is within `tail` (a share of it) of the
        round's Lagrangian bound or has the same integer ceiling; True if converged in one
        of these senses, None if somebody has no row."""
        for n in range(rounds):
            if n and _time.monotonic() >= deadline:
                return False
            done = self.round(deadline)
            if done is None:
                return None
            added, proven = done
            if added == 0:
                return proven
            if self._close(tail):
                return True
        return False

    def _close(self, tail: float) -> bool:
        """True when the LP is within `tail` of the last Lagrangian bound, or both round
        up to the same integer (no better bound can come: costs are whole numbers)."""
        if self.lp is None or self.lagrange is None:
            return False
        if whole_bound(self.lagrange) >= whole_bound(self.lp):
            return True
        return self.lp - self.lagrange <= tail * max(1.0, abs(self.lp))


def dive(
    problem: Problem,
    solve_fn: Solver,
    *,
    deadline: float,
    seed: int = 0,
    workers: int = 8,
    threads: int = 2,
    report: Callable[[Building], None] | None = None,
    since: float | None = None,
) -> Dive | None:
    """A roster by price and dive, aiming to finish by `deadline`; None if the problem is
    not `usable` or a person has no row meeting their hard rules. `solve_fn` solves the
    dive's last people together (with `workers`). `report` hears at the start, after
    every column-generation round and at the end how many people are placed and the
    bound so far (seconds counted from the monotonic time `since`, by default the
    dive's start); an exception it raises ends the dive."""
    if not usable(problem) or not problem.employees:
        return None
    t0 = _time.monotonic()
    start = t0 if since is None else since
    people = len(problem.employees)
    if report is not None:  # the people's pricing models take a while to build
        report(Building(t0 - start, 0, people, None))
    gen = _Generator(problem, seed, threads)
    if report is not None:
        gen.after_round = lambda: report(
            Building(_time.monotonic() - start, len(gen.master.fixed), people, gen.proven())
        )
    try:
        dove = _dive(gen, solve_fn, t0, deadline, workers)
    finally:
        gen.close()
    if report is not None and dove is not None:
        report(Building(_time.monotonic() - start, people, people, dove.bound))
    return dove


def _dive(
    gen: _Generator, solve_fn: Solver, t0: float, deadline: float, workers: int
) -> Dive | None:
    problem, master = gen.problem, gen.master
    root_end = t0 + (deadline - t0) * ROOT_SHARE
    converged = gen.converge(10_000, root_end)
    if converged is None:
        log.info("column generation: a person has no row meeting their hard rules")
        return None
    root_lp = gen.lp or 0.0
    log.info(
        "root LP=%.2f converged=%s columns=%d bound=%.2f after %.2f s",
        root_lp,
        converged,
        sum(map(len, master.columns)),
        gen.bound,
        _time.monotonic() - t0,
    )
    people = len(problem.employees)
    gen.programs = False  # the dive prices by CP-SAT (see `_Generator.programs`)
    step_seconds: list[float] = []
    joint: list[Assignment] = []
    endgame_tried = False
    by_days: bool | None = None  # how the steps fix (see PEOPLE_A_STEP)
    while len(master.fixed) < people:
        ts = _time.monotonic()
        free = [i for i in range(people) if i not in master.fixed]
        best = {i: max(enumerate(master.weights(i)), key=lambda cw: cw[1]) for i in free}
        if len(free) * problem.days <= ENDGAME_CELLS and not endgame_tried:
            endgame_tried = True
            joint = _endgame(gen, free, best, solve_fn, deadline, workers)
            if joint:
                break
        left = deadline - ts
        if left <= 0:
            for i in free:  # out of time: everybody takes their heaviest row
                master.fix(i, best[i][0])
            taken = 1.0
        else:
            per_step = sum(step_seconds[-5:]) / len(step_seconds[-5:]) if step_seconds else 0.0
            # a step's share of the time left: what it must fix of what is still free
            pace = per_step / left
            if by_days is None and step_seconds:  # decided once, on the first step's time
                by_days = pace * len(free) > PEOPLE_A_STEP
                log.info("dive fixes %s", "days" if by_days else "people")
            if by_days:  # the surest days (whole rows' too), where people are too slow
                choices = _day_choices(master, free, best, problem.days)
                sure = sum(1 for c in choices if c[0] >= WHOLE)
                k = max(sure, math.ceil(len(choices) * pace))
                _fix_days(gen, choices[:k], best)
                taken = k / len(choices)
            else:  # the whole rows, or the heaviest (more when time runs short)
                whole = [i for i in free if best[i][1] >= WHOLE]
                k = max(1, math.ceil(len(free) * pace))
                pick = whole or sorted(free, key=lambda i: -best[i][1])[:k]
                for i in pick:
                    master.fix(i, best[i][0])
                taken = len(pick) / len(free)
        if len(master.fixed) < people:
            # one slow step (Curtois-Qu Instance19, whose root is still tailing off) must
            # not use up the time of all the others
            share = left * min(1.0, STEP_SHARE * taken)
            if by_days:  # price at the fixed LP's prices: the old ones pay for rows gone
                gen.lp, gen.prices, gen.pi = master.solve()
            if gen.converge(DIVE_ROUNDS, min(deadline, ts + share), TAIL_GAP) is None:
                return None
        else:
            gen.lp, gen.prices, gen.pi = master.solve()
        step_seconds.append(_time.monotonic() - ts)
        log.debug(
            "dive step people=%d days=%d lp=%.2f",
            len(master.fixed),
            sum(map(len, master.fixed_days)),
            gen.lp or 0.0,
        )
    placed = [*_rows(gen, master.fixed), *joint]
    roster = Roster(problem.start, problem.days, tuple(placed))
    ev = evaluate(problem, roster)
    if ev.violations:  # every row meets its person's hard rules: this is a defect
        raise RuntimeError(f"dive roster breaks hard rules: {ev.violations[0].words}")
    # every penalty is >= 0, so 0 is a bound even before a whole pricing round is proven
    bound = gen.proven() or 0
    log.info(
        "dive objective=%d (LP %.2f) bound=%d columns=%d steps=%d after %.2f s",
        ev.objective,
        gen.lp or 0.0,
        bound,
        sum(map(len, master.columns)),
        len(step_seconds),
        _time.monotonic() - t0,
    )
    return Dive(
        roster,
        ev.objective,
        bound,
        root_lp,
        sum(map(len, master.columns)),
        _time.monotonic() - t0,
    )


def _day_choices(
    master: _Master, free: list[int], best: dict[int, tuple[int, float]], days: int
) -> list[tuple[float, int, int, Cell | None]]:
    """(weight, person, day, how) for every free person's unfixed day: how their heaviest
    row spends it (a cell, None: off) and the LP weight of their rows that agree, heaviest
    first."""
    out: list[tuple[float, int, int, Cell | None]] = []
    for i in free:
        spent = master.columns[i][best[i][0]].by_day()
        agree = [0.0] * days
        for col, w in zip(master.columns[i], master.weights(i), strict=True):
            if w > ENTER_BELOW:
                other = col.by_day()
                for d in range(days):
                    if other.get(d) == spent.get(d):
                        agree[d] += w
        fixed = master.fixed_days[i]
        out.extend((agree[d], i, d, spent.get(d)) for d in range(days) if d not in fixed)
    out.sort(key=lambda c: -c[0])
    return out


def _fix_days(
    gen: _Generator,
    choices: Sequence[tuple[float, int, int, Cell | None]],
    best: dict[int, tuple[int, float]],
) -> None:
    """Fix the chosen days in the master and the pricers; a person whose days are all
    fixed is fixed to their heaviest row (every chosen day agrees with it)."""
    by_person: dict[int, dict[int, Cell | None]] = {}
    for _w, i, d, how in choices:
        by_person.setdefault(i, {})[d] = how
    for i, days in by_person.items():
        gen.master.fix_days(i, days)
        if len(gen.master.fixed_days[i]) == gen.problem.days:
            gen.master.fix(i, best[i][0])
        else:
            gen.pricers[i].fix_days(days)


def _rows(gen: _Generator, chosen: dict[int, int]) -> list[Assignment]:
    """The assignments of column `chosen[i]` of each person i."""
    p = gen.problem
    return [
        Assignment(p.employees[i].id, p.date_of(d), sid, k)
        for i, ci in chosen.items()
        for d, sid, k in gen.master.columns[i][ci].cells
    ]


def _endgame(
    gen: _Generator,
    free: list[int],
    best: dict[int, tuple[int, float]],
    solve_fn: Solver,
    deadline: float,
    workers: int,
) -> list[Assignment]:
    """The last people's rows, searched together against the fixed people's cover and
    hinted with each one's heaviest LP row; [] if no rows were found in time."""
    p = gen.problem
    placed = _rows(gen, gen.master.fixed)
    hint = Roster(p.start, p.days, tuple(_rows(gen, {i: best[i][0] for i in free})))
    group = [p.employees[i].id for i in free]
    sub = by_employee.subproblem(p, group, placed, hint)
    # a roster's objective is the sub-problem's plus what the fixed rows cost alone
    fixed_cost = (
        evaluate(p, Roster(p.start, p.days, tuple(placed))).objective
        - evaluate(sub, Roster(p.start, p.days, ())).objective
    )
    budget = max(1.0, (deadline - _time.monotonic()) * ENDGAME_SHARE)
    bound = gen.proven()
    options = SolveOptions(
        time_limit_s=budget,
        workers=workers,
        explain=False,
        lns=False,
        stop_at_objective=None if bound is None else bound - fixed_cost,
    )
    res = solve_fn(sub, options)
    log.debug("dive end-game people=%d objective=%s", len(free), res.objective)
    return [] if res.roster is None else list(res.roster.assignments)
