"""What every family of the evaluator shares: the roster read into a grid, and the tally
of hard-rule breaches and soft penalties (the evaluator's side of `constraints.context`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scheduler.model import Penalty, Problem, Rule, Violation


def day_words(day: date) -> str:
    return day.strftime("%a %d %b %Y")


@dataclass
class Tally:
    p: Problem
    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)

    def fire(
        self,
        rule: Rule,
        amount: int,
        words: str,
        employee_id: str | None = None,
        day: date | None = None,
        shift_id: str | None = None,
    ) -> None:
        """`amount` units of a breach of `rule` (hard: a violation; soft: weight x amount)."""
        if amount <= 0:
            return
        s = self.p.policy.setting(rule)
        if s is None:
            return
        if self.p.policy.is_hard(rule):
            self.violations.append(Violation(rule, words, employee_id, day))
        elif s.weight:
            self.penalties.append(
                Penalty(rule, s.weight * amount, words, employee_id, day, shift_id)
            )

    def cost(
        self,
        rule: Rule,
        cost: int,
        words: str,
        employee_id: str | None = None,
        day: date | None = None,
        shift_id: str | None = None,
    ) -> None:
        if cost:
            self.penalties.append(Penalty(rule, cost, words, employee_id, day, shift_id))


@dataclass(frozen=True, slots=True)
class Worked:
    """Who works what: (employee id, day index) -> (shift id, skill), history included."""

    at: dict[tuple[str, int], tuple[str, str | None]]

    def shift_on(self, employee_id: str, d: int) -> str | None:
        v = self.at.get((employee_id, d))
        return v[0] if v else None

    def works(self, employee_id: str, d: int) -> bool:
        return (employee_id, d) in self.at
