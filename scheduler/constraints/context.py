"""Shared state of one CP-SAT model build: variables, penalty terms, hard-rule groups.

Every constraint family (one module each in this package) reads the problem through a
`Context`, adds its constraints, and registers each soft penalty as a named `Term`, so a
roster's cost can be reported per rule, person and day. In *explain* mode every hard rule
is posted under an assumption literal of its group, so CP-SAT can name a conflicting set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from scheduler.model import Employee, Problem, Rule
from scheduler.rules.horizon import roles_of

#: A literal, or a constant known from history (True = worked / holds).
Lit = cp_model.LiteralT | bool


@dataclass(frozen=True, slots=True)
class Term:
    """A penalty: `weight * expr` in the objective, with who/when for the report."""

    expr: cp_model.LinearExprT
    weight: int
    rule: Rule
    employee_id: str | None
    day: date | None


@dataclass(frozen=True, slots=True)
class Group:
    """A hard-rule group guarded by one assumption literal in explain mode."""

    rule: Rule
    words: str
    employee_id: str | None
    day: date | None


def day_words(d: date) -> str:
    return d.strftime("%a %d %b %Y")


class Context:
    def __init__(self, problem: Problem, *, explain: bool = False) -> None:
        self.p = problem
        self.model = cp_model.CpModel()
        self.explain = explain
        self.n = problem.days
        self.terms: list[Term] = []
        self.groups: dict[tuple[object, ...], tuple[cp_model.IntVar, Group]] = {}
        self.shift_index = {s.id: i for i, s in enumerate(problem.shifts)}
        # tasks[s] = the skills the people on shift s can cover (None = no skill role)
        self.tasks: list[tuple[str | None, ...]] = []
        for s in problem.shifts:
            self.tasks.append(roles_of(problem, s))
        # x[e][d][(s, skill)] assignment literal; y[e][d][s]; w[e][d]
        self.x: list[list[dict[tuple[int, str | None], cp_model.IntVar]]] = []
        self.y: list[list[dict[int, cp_model.IntVar]]] = []
        self.w: list[list[cp_model.IntVar]] = []
        self.history: list[dict[int, int | None]] = []  # e -> {day<0: shift index or None}
        self._build_decisions()

    # ----- decisions -------------------------------------------------------------------
    def eligible(self, e: Employee, s: int, skill: str | None) -> bool:
        shift = self.p.shifts[s]
        if e.max_count_of(shift.id) == 0 and self.p.policy.is_hard(Rule.MAX_SHIFTS_PER_TYPE):
            return False  # a hard limit of zero: no literal at all
        if shift.skill is not None and shift.skill not in e.skills:
            return False
        return skill is None or skill in e.skills

    def _build_decisions(self) -> None:
        m = self.model
        hist_by_emp: dict[str, dict[int, int]] = {}
        for a in self.p.history:
            hist_by_emp.setdefault(a.employee_id, {})[self.p.index_of(a.day)] = self.shift_index[
                a.shift_id
            ]
        for e in self.p.employees:
            xs: list[dict[tuple[int, str | None], cp_model.IntVar]] = []
            ys: list[dict[int, cp_model.IntVar]] = []
            ws: list[cp_model.IntVar] = []
            for d in range(self.n):
                xd: dict[tuple[int, str | None], cp_model.IntVar] = {}
                yd: dict[int, cp_model.IntVar] = {}
                for s, skills in enumerate(self.tasks):
                    lits = []
                    for k in skills:
                        if self.eligible(e, s, k):
                            v = m.new_bool_var(f"x_{e.id}_{d}_{self.p.shifts[s].id}_{k or ''}")
                            xd[(s, k)] = v
                            lits.append(v)
                    if len(lits) == 1:
                        yd[s] = lits[0]
                    elif lits:
                        yv = m.new_bool_var(f"y_{e.id}_{d}_{self.p.shifts[s].id}")
                        m.add(sum(lits) == yv)
                        yd[s] = yv
                wv = m.new_bool_var(f"w_{e.id}_{d}")
                m.add(sum(yd.values()) == wv)  # at most one shift a day
                xs.append(xd)
                ys.append(yd)
                ws.append(wv)
            self.x.append(xs)
            self.y.append(ys)
            self.w.append(ws)
            h = hist_by_emp.get(e.id, {})
            self.history.append({d: h.get(d) for d in range(-self.p.history_days, 0)})

    # ----- extended views over history + horizon ---------------------------------------
    def works(self, ei: int, d: int) -> Lit:
        """Worked on day d (d < 0: from history; False before the known history)."""
        if d >= 0:
            return self.w[ei][d]
        return self.history[ei].get(d) is not None

    def on_shift(self, ei: int, d: int, s: int) -> Lit:
        if d >= 0:
            return self.y[ei][d].get(s, False)
        return self.history[ei].get(d) == s

    # ----- hard/soft posting ------------------------------------------------------------
    def group(
        self,
        rule: Rule,
        key: tuple[object, ...],
        words: str,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> cp_model.IntVar | None:
        if not self.explain:
            return None
        full = (rule, *key)
        if full not in self.groups:
            lit = self.model.new_bool_var(f"assume_{rule}_{len(self.groups)}")
            self.groups[full] = (lit, Group(rule, words, employee_id, day))
        return self.groups[full][0]

    def add_term(
        self,
        expr: cp_model.LinearExprT,
        weight: int,
        rule: Rule,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> None:
        if weight:
            self.terms.append(Term(expr, weight, rule, employee_id, day))

    def clause(
        self,
        rule: Rule,
        lits: Sequence[Lit],
        *,
        hard: bool,
        weight: int,
        group: cp_model.IntVar | None,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> None:
        """At least one of `lits` holds (constants folded). Soft: a penalty literal that is
        true exactly when every literal is false."""
        live: list[cp_model.BoolVarT] = []
        for lit in lits:
            if lit is True:
                return
            if lit is False:
                continue
            live.append(lit)  # type: ignore[arg-type]
        if not live:
            return  # decided by history alone: nothing the roster can change
        if hard:
            if group is not None:
                live.append(group.Not())
            self.model.add_bool_or(live)
            return
        p = self.model.new_bool_var(f"pen_{rule}_{len(self.terms)}")
        self.model.add_bool_or([*live, p])
        for lit in live:
            self.model.add_implication(p, lit.Not())
        self.add_term(p, weight, rule, employee_id, day)

    def at_most(
        self,
        rule: Rule,
        expr: cp_model.LinearExprT,
        bound: int,
        ub: int,
        *,
        hard: bool,
        weight: int,
        group: cp_model.IntVar | None,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> None:
        """expr <= bound; soft: weight per unit of excess. `ub` bounds expr from above."""
        if ub <= bound:
            return
        if hard:
            c = self.model.add(expr <= bound)
            if group is not None:
                c.only_enforce_if(group)
            return
        excess = self.model.new_int_var(0, ub - bound, f"exc_{rule}_{len(self.terms)}")
        self.model.add_max_equality(excess, [expr - bound, 0])
        self.add_term(excess, weight, rule, employee_id, day)

    def at_least(
        self,
        rule: Rule,
        expr: cp_model.LinearExprT,
        bound: int,
        *,
        hard: bool,
        weight: int,
        group: cp_model.IntVar | None,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> None:
        """expr >= bound (expr >= 0); soft: weight per unit short."""
        if bound <= 0:
            return
        if hard:
            c = self.model.add(expr >= bound)
            if group is not None:
                c.only_enforce_if(group)
            return
        short = self.model.new_int_var(0, bound, f"short_{rule}_{len(self.terms)}")
        self.model.add_max_equality(short, [bound - expr, 0])
        self.add_term(short, weight, rule, employee_id, day)

    def forbid(
        self,
        rule: Rule,
        lit: cp_model.IntVar,
        *,
        hard: bool,
        weight: int,
        group: cp_model.IntVar | None,
        employee_id: str | None = None,
        day: date | None = None,
    ) -> None:
        self.clause(
            rule,
            [lit.Not()],
            hard=hard,
            weight=weight,
            group=group,
            employee_id=employee_id,
            day=day,
        )

    def objective_value(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> int:
        """The objective of the solver's returned (or the callback's current) solution,
        summed term by term (the response's own objective value can belong to another
        solution when several workers report at once)."""
        total = 0
        for t in self.terms:
            total += t.weight * (t.expr if isinstance(t.expr, int) else solver.value(t.expr))
        return int(total)

    def objective_terms(self) -> Iterable[cp_model.LinearExprT]:
        return (t.weight * t.expr for t in self.terms)


def mode(ctx: Context, rule: Rule) -> tuple[bool, int] | None:
    """(hard, weight) of a rule under the problem's policy, or None if the rule is off."""
    s = ctx.p.policy.setting(rule)
    if s is None:
        return None
    return ctx.p.policy.is_hard(rule), s.weight
