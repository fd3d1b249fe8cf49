"""The blocks of days that overtime is counted over, and their regular minutes.

- standard: each 7-day block from the horizon start, up to `weekly_regular_minutes` (the
  minutes of each day up to `daily_regular_minutes` count; the rest of a day is overtime
  on that day);
- comprehensive: each `cycle_days` block from the horizon start, or each calendar month
  (`HoursCycle.MONTH`; a month cut by the horizon is the part inside it), up to the
  contracted weekly minutes x the block's days / 7 (floored) - or, for calendar months
  when the problem gives its `working_days`, `daily_regular_minutes` x the block's
  working days (as hrcore's payroll counts a comprehensive person's month);
- flexible: no blocks counted.
A block's overtime belongs to the calendar month of its last day.
"""

from __future__ import annotations

from scheduler.model import Employee, HoursCycle, HoursSystem, Problem


def blocks(p: Problem, e: Employee) -> list[range]:
    """The day ranges whose regular minutes are summed: weeks, cycles or calendar months."""
    if e.hours_system == HoursSystem.COMPREHENSIVE and e.cycle == HoursCycle.MONTH:
        firsts = [d for d in range(p.days) if d == 0 or p.date_of(d).day == 1]
        return [range(a, b) for a, b in zip(firsts, [*firsts[1:], p.days], strict=True)]
    size = 7 if e.hours_system == HoursSystem.STANDARD else max(1, e.cycle_days)
    return [range(b, min(b + size, p.days)) for b in range(0, p.days, size)]


def block_allowance(p: Problem, e: Employee, block: range) -> int:
    """The regular minutes of `block` (one of `blocks(p, e)`)."""
    if e.hours_system == HoursSystem.STANDARD:
        return p.policy.weekly_regular_minutes
    if e.cycle == HoursCycle.MONTH and p.working_days is not None:
        return p.policy.daily_regular_minutes * working_days_in(p, block)
    return e.contracted_minutes_per_week * len(block) // 7


def working_days_in(p: Problem, block: range) -> int:
    """How many of `block`'s days are in the problem's `working_days` (none if not given)."""
    days = p.working_days or frozenset()
    return sum(1 for d in block if p.date_of(d) in days)
