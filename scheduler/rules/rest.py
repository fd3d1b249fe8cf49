"""Rest between shifts: how long it is, how long it must be, and which rule a pair breaks."""

from __future__ import annotations

from scheduler.model import MINUTES_PER_DAY, Employee, Policy, Rule, ShiftType

#: a shift on day d and one on day d + gap, for these gaps, can be too close together
#: (a shift lasts under 24 h, so a pair three days apart always has a full day between)
GAPS = (1, 2)


def rest_minutes(before: ShiftType, after: ShiftType, gap_days: int) -> int:
    """Minutes from the end of `before` on day d to the start of `after` on day d + gap_days
    (negative: they overlap)."""
    return gap_days * MINUTES_PER_DAY + after.start_minute - before.end_minute


def min_rest_minutes(policy: Policy, e: Employee) -> int:
    """The rest a person needs between two shifts: their own, else the policy's."""
    return e.min_rest_minutes if e.min_rest_minutes is not None else policy.min_rest_minutes


def pair_rule(
    policy: Policy, e: Employee, before: ShiftType, after: ShiftType, gap_days: int
) -> Rule | None:
    """The rule that working `before` on day d and `after` on day d + gap_days breaks, or
    None: NO_OVERLAP when they overlap (always hard), else SHIFT_SUCCESSION when `after`
    is a forbidden successor of `before` the next day, else MIN_REST when the rest between
    them is short - each only when the policy has the rule."""
    rest = rest_minutes(before, after, gap_days)
    if rest < 0:
        return Rule.NO_OVERLAP
    if gap_days == 1 and policy.active(Rule.SHIFT_SUCCESSION) and after.id in before.forbidden_next:
        return Rule.SHIFT_SUCCESSION
    if policy.active(Rule.MIN_REST) and rest < min_rest_minutes(policy, e):
        return Rule.MIN_REST
    return None
