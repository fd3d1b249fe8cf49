"""The horizon's calendar as the rules see it: weekends, and the roles of each shift."""

from __future__ import annotations

from scheduler.model import Problem, ShiftType


def weekends(p: Problem) -> list[list[int]]:
    """Day indexes of each Saturday/Sunday pair (by ISO week) inside the horizon."""
    by_week: dict[tuple[int, int], list[int]] = {}
    for d in range(p.days):
        day = p.date_of(d)
        if day.weekday() >= 5:
            iso = day.isocalendar()
            by_week.setdefault((iso.year, iso.week), []).append(d)
    return [by_week[k] for k in sorted(by_week)]


def roles_of(p: Problem, s: ShiftType) -> tuple[str | None, ...]:
    """The skills the people on shift `s` can cover, from the demand lines naming one
    (sorted); (None,) when no line names a skill: the shift has one role, anyone's."""
    skills = sorted({d.skill for d in p.demand if d.shift_id == s.id and d.skill})
    return tuple(skills) if skills else (None,)
