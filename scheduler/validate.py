"""Input checks: every id a problem refers to exists, numbers are in range."""

from __future__ import annotations

from scheduler.errors import InvalidProblem
from scheduler.model import Problem


def validate(p: Problem) -> None:
    """Raise `InvalidProblem` naming the first bad reference or value."""
    if p.days <= 0:
        raise InvalidProblem(f"problem {p.name!r}: horizon must have at least one day")
    shift_ids = [s.id for s in p.shifts]
    emp_ids = [e.id for e in p.employees]
    for kind, ids in (("shift", shift_ids), ("employee", emp_ids)):
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise InvalidProblem(f"duplicate {kind} id {i!r}; ids must be unique")
            seen.add(i)
    shifts, emps = set(shift_ids), set(emp_ids)
    for s in p.shifts:
        if not 0 < s.minutes <= 24 * 60:
            raise InvalidProblem(f"shift {s.id!r}: length {s.minutes} min must be 1..1440")
        for t in s.forbidden_next:
            if t not in shifts:
                raise InvalidProblem(f"shift {s.id!r}: forbidden successor {t!r} is unknown")
    for e in p.employees:
        for lim in e.max_shifts:
            if lim.shift_id not in shifts:
                raise InvalidProblem(f"employee {e.id!r}: limit on unknown shift {lim.shift_id!r}")
    for line in p.demand:
        if line.shift_id not in shifts:
            raise InvalidProblem(f"demand on {line.day}: unknown shift {line.shift_id!r}")
        if line.target < 0 or line.minimum < 0:
            raise InvalidProblem(f"demand on {line.day} shift {line.shift_id}: negative count")
    refs: list[tuple[str, str, str | None]] = [("absence", a.employee_id, None) for a in p.absences]
    refs += [("request", r.employee_id, r.shift_id) for r in p.requests]
    refs += [("pin", x.employee_id, x.shift_id) for x in p.pins]
    refs += [("history", a.employee_id, a.shift_id) for a in p.history]
    if p.published is not None:
        refs += [("published", a.employee_id, a.shift_id) for a in p.published.assignments]
    for kind, emp, shift in refs:
        if emp not in emps:
            raise InvalidProblem(f"{kind} refers to unknown employee {emp!r}")
        if shift is not None and shift not in shifts:
            raise InvalidProblem(f"{kind} refers to unknown shift {shift!r}")
    for a in p.history:
        if not -p.history_days <= p.index_of(a.day) < 0:
            raise InvalidProblem(
                f"history assignment of {a.employee_id!r} on {a.day} is outside the "
                f"{p.history_days} history days before {p.start}"
            )
