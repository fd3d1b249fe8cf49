"""Column generation over the people not yet fixed: every round prices each free
person once (`pricing`), adds the rows that price below zero to the master (`master`)
and re-solves it; each round also gives a Lagrangian lower bound, valid whatever the
LP's state."""

from __future__ import annotations

import logging
import math
import time as _time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from scheduler.model import Problem, whole_bound
from scheduler.search.master import ENTER_BELOW, Master, RowIndex, RowKind, cover_rows
from scheduler.search.pricing import Priced, Pricer

log = logging.getLogger(__name__)

#: seconds one pricing problem may take (a person's row over a few weeks takes ms)
PRICE_LIMIT_S = 5.0
#: seconds a person's first row may take, whatever the deadline (the master needs one)
FIRST_ROW_LIMIT_S = 60.0


class Generator:
    """Column generation over the people not yet fixed."""

    def __init__(self, problem: Problem, seed: int, threads: int) -> None:
        self.problem = problem
        self.rows = cover_rows(problem)
        index = RowIndex(self.rows)
        self.master = Master(len(problem.employees), self.rows, index)
        self.pricers = [Pricer(problem, e.id, index, seed) for e in problem.employees]
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

    def _price(self, free: list[int], prices: Sequence[float], deadline: float) -> list[Priced]:
        """Each free person's pricing: by their dynamic program where it settles it (in
        this thread: the programs hold the interpreter lock), else by CP-SAT in the pool."""
        out: list[Priced | None] = [
            self.pricers[i].by_program(prices, self.pi[i] if self.master.columns[i] else None)
            if self.programs
            else None
            for i in free
        ]

        def run(j: int) -> Priced:
            i = free[j]
            if not self.master.columns[i]:  # the master needs one row of everybody
                return self.pricers[i].solve(prices, FIRST_ROW_LIMIT_S)
            left = deadline - _time.monotonic()
            return self.pricers[i].solve(prices, min(PRICE_LIMIT_S, max(0.05, left)))

        todo = [j for j, res in enumerate(out) if res is None]
        for j, solved in zip(todo, self.pool.map(run, todo), strict=True):
            out[j] = solved
        priced: list[Priced] = []
        for res in out:
            assert res is not None  # every person was priced one way or the other
            priced.append(res)
        return priced

    def _enter(self, person: int, priced: Priced) -> int:
        """Add the person's rows that price below zero at the LP's own prices."""
        added = 0
        for col in priced.columns:
            rc = self.master.reduced_cost(person, col, self.prices, self.pi[person])
            if self.lp is None or rc < -ENTER_BELOW:
                added += self.master.add(person, col)
        return added

    def _lagrange(
        self, free: list[int], prices: Sequence[float], results: Sequence[Priced]
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
