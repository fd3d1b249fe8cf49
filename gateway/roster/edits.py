"""Hand edits of a stored roster run: check them against the rules, apply them, and
record a manager's override of a `block` rule with the reason in the audit log.

A change is written `EMPLOYEE DAY SHIFT [SKILL]` (`E0012 2026-11-03 N`; `off` for a day
off); a swap `EMPLOYEE EMPLOYEE DAY`. The run's problem is rebuilt as `roster solve
--site` builds it (its site, range, the policy and demand files), so an edit meets exactly
the rules a solved roster meets (`scheduler.check`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from gateway.errors import BadInput, EditRefused
from gateway.roster.demand import DemandFile
from gateway.roster.service import SiteProblem, build_problem
from hrcore.errors import NotFound
from hrcore.store import AuditIn, record_audit
from hrcore.store import roster as store
from scheduler.check import Change, CheckResult, check_changes, pick_skill, swap
from scheduler.model import Assignment, Policy, Roster, Severity

OFF = ("off", "-")


@dataclass(frozen=True, slots=True)
class EditRequest:
    run_id: int
    changes: tuple[str, ...]  # "EMPLOYEE DAY SHIFT [SKILL]"
    swaps: tuple[str, ...] = ()  # "EMPLOYEE EMPLOYEE DAY"
    policy: Policy | None = None
    demand: DemandFile | None = None
    demand_source: str = "demand file"


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{what}: {text!r} is not a date; write YYYY-MM-DD") from None


def parse_changes(sp: SiteProblem, roster: Roster, req: EditRequest) -> tuple[Change, ...]:
    p = sp.problem
    out: list[Change] = []
    for text in req.changes:
        words = text.split()
        if len(words) not in (3, 4):
            raise BadInput(
                f"change {text!r}: write EMPLOYEE DAY SHIFT [SKILL], e.g. 'E0012 2026-11-03 N' "
                "('off' for a day off)"
            )
        emp, day, shift = words[0], _day(words[1], f"change {text!r}"), words[2]
        if shift in OFF:
            out.append(Change(emp, day, None))
            continue
        known = {s.id for s in p.shifts}
        if emp not in {e.id for e in p.employees} or shift not in known:
            out.append(Change(emp, day, shift))  # the check names what is unknown
            continue
        skill = words[3] if len(words) == 4 else pick_skill(p, emp, shift)
        out.append(Change(emp, day, shift, skill))
    for text in req.swaps:
        words = text.split()
        if len(words) != 3:
            raise BadInput(f"swap {text!r}: write EMPLOYEE EMPLOYEE DAY")
        out.extend(swap(roster, words[0], words[1], _day(words[2], f"swap {text!r}")))
    if not out:
        raise BadInput("no change given; add --change 'EMPLOYEE DAY SHIFT' or --swap")
    return tuple(out)


def run_roster(session: Session, req: EditRequest) -> tuple[SiteProblem, Roster]:
    """The run's problem (built as `roster solve --site` builds it) and its roster."""
    run = store.find_run(session, req.run_id)
    if run is None:
        raise NotFound(f"roster run {req.run_id} does not exist")
    assert req.policy is not None and req.demand is not None
    sp = build_problem(
        session,
        run.site_code,
        run.date_from,
        run.date_to,
        req.policy,
        req.demand,
        demand_source=req.demand_source,
    )
    grid = store.roster_grid(session, run.site_code, run.date_from, run.date_to, run_id=run.id)
    cells = [
        Assignment(row.employee_code, day, code, (row.skills[i] if row.skills else "") or None)
        for row in grid.rows
        for i, (day, code) in enumerate(zip(grid.dates, row.cells, strict=True))
        if code
    ]
    return sp, Roster(run.date_from, (run.date_to - run.date_from).days + 1, tuple(cells))


def check_edit(session: Session, req: EditRequest) -> CheckResult:
    sp, roster = run_roster(session, req)
    return check_changes(sp.problem, roster, parse_changes(sp, roster, req))


def check_cells(session: Session, req: EditRequest, cells: Sequence[Change]) -> CheckResult:
    """The check of changes given as cells (the API's); a cell naming no skill covers the
    first of the shift's roles the person has."""
    sp, roster = run_roster(session, req)
    p = sp.problem
    emps, shifts = {e.id for e in p.employees}, {s.id for s in p.shifts}
    changes = [
        Change(c.employee_id, c.day, c.shift_id, pick_skill(p, c.employee_id, c.shift_id))
        if c.skill is None and c.shift_id in shifts and c.employee_id in emps
        else c
        for c in cells
    ]
    return check_changes(p, roster, changes)


def apply_edit(
    factory: sessionmaker[Session],
    req: EditRequest,
    *,
    actor: str,
    clock: Callable[[], datetime],
    reason: str | None,
) -> CheckResult:
    """Check and write the changes in one transaction. An edit breaking a `block` rule is
    refused (nothing written) unless `reason` is given: then it is written and the
    override, with the reason and the rules it breaks, goes to the audit log."""
    with factory.begin() as s:
        sp, roster = run_roster(s, req)
        changes = parse_changes(sp, roster, req)
        res = check_changes(sp.problem, roster, changes)
        blocking = [b for b in res.added if b.severity == Severity.BLOCK]
        if blocking and not (reason and reason.strip()):
            raise EditRefused(
                f"the edit breaks {len(blocking)} block rule(s): "
                + "; ".join(f"{b.rule}: {b.words}" for b in blocking)
                + ". Nothing was written; a manager may override with --reason TEXT"
            )
        now = clock()
        for c in changes:
            store.set_assignment(
                s,
                req.run_id,
                c.employee_id,
                c.day,
                c.shift_id or "",
                actor=actor,
                now=now,
                skill=c.skill,
            )
        if blocking:
            record_audit(
                s,
                AuditIn(
                    at=now,
                    actor=actor,
                    action="roster_override",
                    entity="roster_run",
                    entity_id=str(req.run_id),
                    detail={
                        "reason": (reason or "").strip(),
                        "changes": [_words(c) for c in changes],
                        "breaks": [{"rule": str(b.rule), "words": b.words} for b in blocking],
                    },
                ),
            )
    return res


def _words(c: Change) -> str:
    return f"{c.employee_id} {c.day} {c.shift_id or 'off'}"


def breach_lines(res: CheckResult) -> Sequence[str]:
    lines = [f"  {b.severity} {b.rule}: {b.words}" for b in res.added]
    lines += [f"  cleared {b.rule}: {b.words}" for b in res.cleared]
    return lines
