"""One person's cheapest row by dynamic programming over the days (column generation's
pricing problem without a CP-SAT solve).

A person's row is a walk through the days. The state after a day is: the shift worked
(or off), how long the current run of working days or days off is, how many weekends
were worked and how many minutes - enough to decide every sequence rule (successions,
minimum rest, most and fewest days in a row, fewest days off in a row) and the weekend
and total-minute limits exactly. The per-shift-type limits would make the state too big;
they are priced instead (Lagrangian relaxation): a type over its limit gets a surcharge
per shift and the walk is redone, a few times at most. The relaxed optimum is always a
valid lower bound on the person's cheapest row, so the master keeps its Lagrangian bound.

Only people whose rules all fall in that set are priced here (`RowProgram.of` says None
otherwise): hard rules, no history before the horizon, no minimal change, no overtime or
weekly-rest rules, requests as the only soft costs. Everything else keeps the CP-SAT
pricing. The arrays are numpy's; one walk over 28 days with 18 shift types, five run
lengths, three weekend counts and 73 minute steps takes a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.model import Problem, Rule
from scheduler.rules.horizon import weekends
from scheduler.rules.limits import max_consecutive_days
from scheduler.rules.rest import pair_rule

#: rules a row program prices exactly (each must be hard)
PRICED_HARD = frozenset(
    {
        Rule.UNAVAILABLE,
        Rule.SHIFT_SUCCESSION,
        Rule.MIN_REST,
        Rule.MAX_CONSECUTIVE_DAYS,
        Rule.MIN_CONSECUTIVE_DAYS,
        Rule.MIN_CONSECUTIVE_DAYS_OFF,
        Rule.MAX_SHIFTS_PER_TYPE,
        Rule.MIN_TOTAL_MINUTES,
        Rule.MAX_TOTAL_MINUTES,
        Rule.MAX_WEEKENDS,
        Rule.NO_NIGHTS,
    }
)
#: rules that never reach the pricing problem (the master holds the cover) or cost per cell
_ANY_OK = frozenset(
    {
        Rule.COVER_MINIMUM,
        Rule.COVER_MAXIMUM,
        Rule.COVER_UNDER,
        Rule.COVER_OVER,
        Rule.SHIFT_ON_REQUEST,
        Rule.SHIFT_OFF_REQUEST,
    }
)
#: walks per pricing: the first with the person's last surcharges, then re-surcharged.
#: A walk takes ~4 ms on Curtois-Qu Instance13; more walks rarely close the Lagrangian
#: gap (8 walks: two thirds of the people still open) and cost more than they save
MAX_WALKS = 3
#: end states walked back per walk (each a row, if it meets the shift-type limits)
ENDS = 4
#: rows returned per pricing, cheapest first: more rows per round mean fewer rounds but
#: a master that re-solves slower (Instance13 root: 8 rows 176 s, 2 rows 120 s)
KEEP = 2

#: a cell of a row: (day index, shift id, skill)
Cell = tuple[int, str, str | None]


@dataclass(frozen=True, slots=True)
class Priced:
    """Rows found (cells, own cost; cheapest first), a lower bound on min(own cost -
    priced cover), and whether the first row is proven to reach it."""

    rows: list[tuple[tuple[Cell, ...], int]]
    low: float
    complete: bool


class RowProgram:
    """A person's rows as a dynamic program; built once, re-run with new prices."""

    @classmethod
    def of(
        cls,
        problem: Problem,
        allowed: Sequence[Sequence[int]],
        cells: Sequence[tuple[Cell, Sequence[int]]],
    ) -> RowProgram | None:
        """The program of `problem`'s only person, or None if a rule of theirs is outside
        what it prices. `allowed[d]` are the shift indexes the person may work on day d
        (skills and zero limits applied); `cells` are their (cell, cover rows) pairs."""
        pol = problem.policy
        if len(problem.employees) != 1 or problem.history_days or problem.history:
            return None
        if problem.published is not None and pol.active(Rule.MINIMAL_CHANGE):
            return None
        for setting in pol.rules:
            rule = setting.rule
            if rule in _ANY_OK:
                continue
            if rule not in PRICED_HARD or not pol.is_hard(rule):
                return None
        e = problem.employees[0]
        if pol.active(Rule.MAX_CONSECUTIVE_DAYS) and max_consecutive_days(pol, e) < 1:
            return None
        used = sorted({s for day in allowed for s in day})
        forbidden = _successions(problem, used)
        if not used or forbidden is None:
            return None
        return cls(problem, used, forbidden, allowed, cells)

    def __init__(
        self,
        problem: Problem,
        used: list[int],
        forbidden: np.ndarray,
        allowed: Sequence[Sequence[int]],
        cells: Sequence[tuple[Cell, Sequence[int]]],
    ) -> None:
        pol = problem.policy
        e = problem.employees[0]
        n = problem.days
        shifts = problem.shifts
        self.n = n
        self.ids = [shifts[s].id for s in used]
        pos = {s: i for i, s in enumerate(used)}
        S = len(used)
        self.S = S
        # run lengths: work runs 1..R, off runs 1..K (the last of each may saturate)
        self.min_work = e.min_consecutive_days if pol.active(Rule.MIN_CONSECUTIVE_DAYS) else 1
        self.min_off = (
            e.min_consecutive_days_off if pol.active(Rule.MIN_CONSECUTIVE_DAYS_OFF) else 1
        )
        if pol.active(Rule.MAX_CONSECUTIVE_DAYS):
            self.R = max(1, max_consecutive_days(pol, e))
            self.run_saturates = False
        else:
            self.R = max(1, self.min_work)
            self.run_saturates = True
        self.K = max(1, self.min_off)
        self.off_ok = np.array([k for k in range(self.K) if k + 1 >= self.min_off])
        # weekends worked: 0..max (not tracked without a limit)
        self.weekend_first = np.zeros(n, dtype=bool)  # the day opens a weekend
        self.weekend_second = np.zeros(n, dtype=bool)  # counts only if the first was off
        if pol.active(Rule.MAX_WEEKENDS) and e.max_weekends is not None:
            self.Wk = e.max_weekends + 1
            for days in weekends(problem):
                self.weekend_first[days[0]] = True
                for d in days[1:]:
                    self.weekend_second[d] = True
        else:
            self.Wk = 1
        # minutes in steps of their greatest common divisor (not tracked without limits)
        mins = [shifts[s].minutes for s in used]
        self.min_units = 0
        hi = pol.active(Rule.MAX_TOTAL_MINUTES) and e.max_total_minutes is not None
        lo = pol.active(Rule.MIN_TOTAL_MINUTES) and e.min_total_minutes > 0
        if hi or lo:
            step = math.gcd(*mins) or 1
            self.units = np.array([m // step for m in mins], dtype=np.int64)
            top = e.max_total_minutes if hi and e.max_total_minutes is not None else n * max(mins)
            self.U1 = top // step + 1
            if lo:
                self.min_units = -(-e.min_total_minutes // step)
                if self.min_units >= self.U1:
                    self.U1 = 0  # cannot be met: no row at all
        else:
            self.units = np.zeros(S, dtype=np.int64)
            self.U1 = 1
        # which shifts may follow which (rows: predecessor, columns: successor)
        self.follows = ~forbidden
        # predecessor classes: successors sharing the same allowed predecessors
        classes: dict[tuple[bool, ...], list[int]] = {}
        for j in range(S):
            classes.setdefault(tuple(self.follows[:, j]), []).append(j)
        self.classes: list[tuple[np.ndarray, list[tuple[int, np.ndarray]]]] = []
        for key, members in classes.items():
            by_units: dict[int, list[int]] = {}
            for j in members:
                by_units.setdefault(int(self.units[j]), []).append(j)
            groups = [(u, np.array(js)) for u, js in by_units.items()]
            self.classes.append((np.flatnonzero(np.array(key)), groups))
        self.run_index = np.arange(self.R)[:, None]
        # availability per day: absences, pins, night bars, skills
        self.available = np.zeros((n, S), dtype=bool)
        for d in range(n):
            for s in allowed[d]:
                self.available[d, pos[s]] = True
        self.must_work = np.zeros(n, dtype=bool)
        if pol.active(Rule.UNAVAILABLE):
            for a in problem.absences:
                d = problem.index_of(a.day)
                if 0 <= d < n:
                    self.available[d, :] = False
        if pol.active(Rule.NO_NIGHTS) and e.has_night_bar():
            for d in range(n):
                if e.barred_from_nights(problem.date_of(d)):
                    for i, s in enumerate(used):
                        if shifts[s].night:
                            self.available[d, i] = False
        self.impossible = False
        for pin in problem.pins:
            d = problem.index_of(pin.day)
            if not 0 <= d < n:
                continue
            if pin.shift_id is None:
                self.available[d, :] = False
            else:
                keep = [i for i, s in enumerate(used) if shifts[s].id == pin.shift_id]
                mask = np.zeros(S, dtype=bool)
                mask[keep] = True
                self.available[d, :] &= mask
                self.must_work[d] = True
                if not self.available[d].any():
                    self.impossible = True
        # own costs: requests (the pricing context's only terms)
        self.const = 0
        self.own_work = np.zeros((n, S))
        self.own_off = np.zeros(n)
        on = pol.setting(Rule.SHIFT_ON_REQUEST)
        off = pol.setting(Rule.SHIFT_OFF_REQUEST)
        for r in problem.requests:
            d = problem.index_of(r.day)
            if not 0 <= d < n:
                continue
            if r.want and on is not None:
                w = r.weight * on.weight
                if r.shift_id is None:
                    self.own_off[d] += w
                else:
                    self.const += w
                    for i, s in enumerate(used):
                        if shifts[s].id == r.shift_id:
                            self.own_work[d, i] -= w
            elif not r.want and off is not None:
                w = r.weight * off.weight
                for i, s in enumerate(used):
                    if r.shift_id is None or shifts[s].id == r.shift_id:
                        self.own_work[d, i] += w
        # shift-type limits, priced: the types whose limit can bind
        self.limited: list[tuple[int, int]] = []
        if pol.active(Rule.MAX_SHIFTS_PER_TYPE):
            for lim in e.max_shifts:
                for i, s in enumerate(used):
                    if shifts[s].id == lim.shift_id and lim.max_count < self.available[:, i].sum():
                        self.limited.append((i, lim.max_count))
        self.surcharge = np.zeros(S)
        self._tables()
        # cover rows of each cell; the cheapest skill per (day, shift) is chosen per price
        self.cell_flat = np.array(
            [c[0] * S + pos[_shift_index(shifts, c[1])] for c, _r in cells], dtype=np.int64
        )
        self.cell_keys = [c for c, _r in cells]
        self.cell_index = {c: i for i, c in enumerate(self.cell_keys)}
        rows_of = [list(r) for _c, r in cells]
        width = max((len(r) for r in rows_of), default=0)
        self.cell_rows = np.full((len(cells), max(1, width)), -1, dtype=np.int64)
        for ci, cell_rows in enumerate(rows_of):
            self.cell_rows[ci, : len(cell_rows)] = cell_rows

    # ----- pricing ------------------------------------------------------------------------
    def price(self, prices: Sequence[float], target: float | None = None) -> Priced | None:
        """The cheapest rows under `prices` (a cover row's price is what covering it once
        is worth): walks until a row is proven cheapest, or one costs less than `target`
        or the bound shows none does (None: as near to proven as the walks get; infinite:
        the first row meeting the limits). None when the person has no row or the walks
        found none meeting the limits."""
        if self.U1 == 0 or self.impossible:
            return None
        p = np.append(np.asarray(prices, dtype=float), 0.0)  # index -1: no row
        worth = p[self.cell_rows].sum(axis=1)
        cover = np.full(self.n * self.S, np.inf)
        np.minimum.at(cover, self.cell_flat, -worth)
        best_cell = np.full(self.n * self.S, -1)
        for ci in np.argsort(worth):  # the most worth last: it wins ties of the minimum
            best_cell[self.cell_flat[ci]] = ci
        base = np.where(self.available, self.own_work + cover.reshape(self.n, self.S), np.inf)
        low = -math.inf
        best = math.inf
        found: dict[tuple[Cell, ...], tuple[int, float]] = {}
        complete = False
        for _walk in range(MAX_WALKS):
            value, paths = self._walk(base + self.surcharge)
            if not paths:
                return None
            low = max(low, self.const + value - sum(self.surcharge[i] * k for i, k in self.limited))
            for q in paths:
                if not self._over(q):
                    cells, cost = self._row(q, best_cell)
                    found[cells] = (cost, cost + self._cover_of(cells, p))
                    best = min(best, found[cells][1])
            over = self._over(paths[0])
            if over:
                self._raise(over, base)
            else:
                # the surcharged optimum meets every limit: it is the cheapest row unless
                # a surcharge is left on a type with room to spare; loosen those
                counts = np.bincount([s for s in paths[0] if s >= 0], minlength=self.S)
                slack = [i for i, k in self.limited if self.surcharge[i] > 0 and counts[i] < k]
                for i in slack:
                    self.surcharge[i] *= 0.5
                if not slack:
                    complete = True
            if complete or best - low <= 1e-9 * max(1.0, abs(low)):
                complete = True
                break
            if target is not None and best < target:
                break
            if target is not None and low >= target:
                break
        if not found:
            return None
        ranked = sorted(found.items(), key=lambda kv: kv[1][1])
        return Priced([(cells, cost) for cells, (cost, _v) in ranked[:KEEP]], low, complete)

    def _cover_of(self, cells: tuple[Cell, ...], p: np.ndarray) -> float:
        index = self.cell_index
        return -float(sum(p[self.cell_rows[index[c]]].sum() for c in cells))

    def _over(self, path: list[int]) -> list[tuple[int, int]]:
        counts = np.bincount([s for s in path if s >= 0], minlength=self.S)
        return [(i, int(counts[i] - k)) for i, k in self.limited if counts[i] > k]

    def _raise(self, over: list[tuple[int, int]], base: np.ndarray) -> None:
        """Surcharge each type over its limit by about its cells' spread of cost."""
        for i, excess in over:
            col = base[:, i]
            finite = col[np.isfinite(col)]
            spread = float(finite.max() - finite.min()) if finite.size else 1.0
            self.surcharge[i] += max(1.0, spread / 4) * excess

    def _row(self, path: list[int], best_cell: np.ndarray) -> tuple[tuple[Cell, ...], int]:
        cells = []
        cost = self.const
        for d, s in enumerate(path):
            if s < 0:
                cost += self.own_off[d]
                continue
            cost += self.own_work[d, s]
            cells.append(self.cell_keys[best_cell[d * self.S + s]])
        return tuple(cells), round(cost)

    # ----- the walk -----------------------------------------------------------------------
    # A state's weekends and minutes are one flat "plane" index w * U1 + m (P of them) plus
    # a last, always-infinite cell that every move off the plane's edge reads from.

    def _tables(self) -> None:
        """Where each plane cell comes from when shift t is worked: one table per weekend
        step (0: no new weekend, 1: a new one)."""
        Wk, U1 = self.Wk, self.U1
        P = Wk * U1
        w, m = np.divmod(np.arange(P), U1)
        self.P = P
        self.sources = np.full((2, self.S, P), P, dtype=np.int64)
        for inc in (0, 1):
            for t in range(self.S):
                u = int(self.units[t])
                ok = (w >= inc) & (m >= u)
                self.sources[inc, t, ok] = (w[ok] - inc) * U1 + (m[ok] - u)
        self.class_of = np.zeros(self.S, dtype=np.int64)
        for c, (_preds, groups) in enumerate(self.classes):
            for _u, members in groups:
                self.class_of[members] = c
        # flat positions in the classes' (class, run, P + 1) best values: a run one day
        # longer (runs 0 .. R - 2 move to 1 .. R - 1) and a saturated run (R - 1 stays)
        R, width = self.R, P + 1
        cls = self.class_of[None, :, None, None]
        runs = np.arange(max(R - 1, 0))[None, None, :, None]
        into = self.sources[:, :, None, :]
        self.longer = (cls * R + runs) * width + into  # (2, S, R - 1, P)
        self.stays = (self.class_of[None, :, None] * R + R - 1) * width + self.sources

    def _walk(self, cost: np.ndarray) -> tuple[float, list[list[int]]]:
        """Cheapest walk value and up to ENDS walks (shift position per day, -1 off),
        cheapest first; no walks if none meets the rules."""
        S, R, K, n, P = self.S, self.R, self.K, self.n, self.P
        inf = np.inf
        work = np.full((S, R, P + 1), inf)
        off = np.full((K, P + 1), inf)
        off[K - 1, 0] = 0.0  # before day 0: a long run of days off (no rule reaches it)
        days = [(work, off)]  # each day's values, from the day before day 0 on
        for d in range(n):
            new_work = np.full((S, R, P + 1), inf)
            new_off = np.full((K, P + 1), inf)
            if not self.must_work[d]:
                self._off_day(d, work, off, new_off)
            if np.isfinite(cost[d]).any():
                self._work_day(d, cost[d], work, off, new_work)
            work, off = new_work, new_off
            days.append((work, off))
        return self._ends(cost, days)

    def _ends_here(self, d: int) -> list[int]:
        """Run lengths (0-based) after which day d may be a day off: long enough, or
        the run began on day 0 (runs touching the horizon's edge are not checked)."""
        return [r for r in range(self.R) if r + 1 >= self.min_work or r + 1 == d]

    def _off_day(self, d: int, work: np.ndarray, off: np.ndarray, new_off: np.ndarray) -> None:
        """Day d's off states: after a work run that may end here, or one more day off."""
        K = self.K
        ends = self._ends_here(d)
        if ends:
            new_off[0] = work[:, ends].min(axis=(0, 1))
        new_off[1:] = off[:-1]
        new_off[K - 1] = np.minimum(new_off[K - 1], off[K - 1])
        new_off += float(self.own_off[d])

    def _work_day(
        self, d: int, cost: np.ndarray, work: np.ndarray, off: np.ndarray, new_work: np.ndarray
    ) -> None:
        """Day d's work states: a run of one after a day off that may end, or one more
        day of a run after a shift that the new one may follow."""
        R, P = self.R, self.P
        c = cost[:, None]
        from_off = off[self.off_ok].min(axis=0)
        new_work[:, 0, :P] = from_off.take(self.sources[self._new_weekend_off(d)]) + c
        if R == 1 and not self.run_saturates:
            return
        best = np.full((len(self.classes), R, P + 1), np.inf)
        for ci, (preds, _groups) in enumerate(self.classes):
            if preds.size:
                best[ci] = work[preds].min(axis=0)
        flat = best.reshape(-1)
        inc = self._new_weekend_work(d)
        if R > 1:
            new_work[:, 1:, :P] = flat.take(self.longer[inc]) + c[:, :, None]
        if self.run_saturates:
            new_work[:, R - 1, :P] = np.minimum(
                new_work[:, R - 1, :P], flat.take(self.stays[inc]) + c
            )

    def _new_weekend_off(self, d: int) -> int:
        """1 if working day d after a day off starts a weekend worked."""
        return 1 if (self.weekend_first[d] or self.weekend_second[d]) else 0

    def _new_weekend_work(self, d: int) -> int:
        """1 if working day d after a worked day starts a weekend worked."""
        return 1 if self.weekend_first[d] else 0

    def _ends(
        self, cost: np.ndarray, days: list[tuple[np.ndarray, np.ndarray]]
    ) -> tuple[float, list[list[int]]]:
        S, R, U1 = self.S, self.R, self.U1
        work, off = days[-1]
        final = np.concatenate([work.reshape(S * R, -1), off])[:, : self.P]
        final = final.reshape(-1, self.Wk, U1).copy()
        final[:, :, : self.min_units] = np.inf
        flat = final.reshape(-1)
        order = np.argsort(flat, kind="stable")[:ENDS]
        order = order[np.isfinite(flat[order])]
        if not order.size:
            return math.inf, []
        paths = [self._back(int(i), cost, days) for i in order]
        return float(flat[order[0]]), paths

    def _back(
        self, flat_index: int, cost: np.ndarray, days: list[tuple[np.ndarray, np.ndarray]]
    ) -> list[int]:
        """The walk to a final state, day by day backwards: at each day the predecessor
        is the cheapest state the move could have come from."""
        S, R, K = self.S, self.R, self.K
        state, cell = divmod(flat_index, self.P)
        path = [-1] * self.n
        for d in range(self.n - 1, -1, -1):
            work, off = days[d]  # the values after day d - 1
            options: list[tuple[float, int, int]] = []  # (value, state, cell)
            if state < S * R:
                t, r = divmod(state, R)
                path[d] = t
                if r == 0 or (self.run_saturates and R == 1):
                    src = int(self.sources[self._new_weekend_off(d), t, cell])
                    options += [(off[k, src], S * R + int(k), src) for k in self.off_ok]
                runs = [r - 1] if r > 0 else []
                if self.run_saturates and r == R - 1:
                    runs.append(R - 1)
                if runs:
                    src = int(self.sources[self._new_weekend_work(d), t, cell])
                    preds = self.classes[self.class_of[t]][0]
                    options += [(work[s, q, src], int(s) * R + q, src) for s in preds for q in runs]
            else:
                k = state - S * R
                if k == 0:
                    ends = self._ends_here(d)
                    options += [(work[s, q, cell], s * R + q, cell) for s in range(S) for q in ends]
                if k > 0:
                    options.append((off[k - 1, cell], S * R + k - 1, cell))
                if k == K - 1:
                    options.append((off[k, cell], state, cell))
            _value, state, cell = min(options)
        return path


def _successions(problem: Problem, used: list[int]) -> np.ndarray | None:
    """Which of the `used` shifts may not follow which on the next day (rows: the first
    shift), or None if a pair two days apart is also barred (the state cannot see it)."""
    pol, shifts, e = problem.policy, problem.shifts, problem.employees[0]
    forbidden = np.zeros((len(used), len(used)), dtype=bool)
    for i, si in enumerate(used):
        for j, ti in enumerate(used):
            s, t = shifts[si], shifts[ti]
            if pair_rule(pol, e, s, t, 2) is not None:
                return None
            forbidden[i, j] = pair_rule(pol, e, s, t, 1) is not None
    return forbidden


def _shift_index(shifts: Sequence, shift_id: str) -> int:
    for i, s in enumerate(shifts):
        if s.id == shift_id:
            return i
    raise KeyError(shift_id)
