"""A person's limits: their own where they have one, else the policy's."""

from __future__ import annotations

from scheduler.model import Employee, Policy


def max_consecutive_days(policy: Policy, e: Employee) -> int:
    if e.max_consecutive_days is not None:
        return e.max_consecutive_days
    return policy.max_consecutive_days


def daily_overtime_cap(policy: Policy, e: Employee) -> int:
    if e.daily_overtime_cap_minutes is not None:
        return e.daily_overtime_cap_minutes
    return policy.daily_overtime_cap_minutes


def monthly_overtime_cap(policy: Policy, e: Employee) -> int:
    if e.monthly_overtime_cap_minutes is not None:
        return e.monthly_overtime_cap_minutes
    return policy.monthly_overtime_cap_minutes
