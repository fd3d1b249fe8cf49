"""Who may work when: absences, pinned assignments, protection from night shifts."""

from __future__ import annotations

from scheduler.constraints.context import Context, Lit, day_words, mode
from scheduler.model import AbsenceKind, Rule

ABSENCE_WORDS = {
    AbsenceKind.LEAVE: "is on approved leave",
    AbsenceKind.UNAVAILABLE: "is unavailable",
    AbsenceKind.DAY_OFF: "has a fixed day off",
}


def post_absences(ctx: Context) -> None:
    m = mode(ctx, Rule.UNAVAILABLE)
    if m is None:
        return
    hard, weight = m
    index = {e.id: i for i, e in enumerate(ctx.p.employees)}
    for a in ctx.p.absences:
        d = ctx.p.index_of(a.day)
        if not 0 <= d < ctx.n:
            continue
        ei = index[a.employee_id]
        e = ctx.p.employees[ei]
        why = ABSENCE_WORDS[a.kind]
        g = ctx.group(
            Rule.UNAVAILABLE, (e.id, d), f"{e.display()} {why} on {day_words(a.day)}", e.id, a.day
        )
        ctx.forbid(
            Rule.UNAVAILABLE,
            ctx.w[ei][d],
            hard=hard,
            weight=weight,
            group=g,
            employee_id=e.id,
            day=a.day,
        )


def post_pins(ctx: Context) -> None:
    index = {e.id: i for i, e in enumerate(ctx.p.employees)}
    for pin in ctx.p.pins:
        d = ctx.p.index_of(pin.day)
        if not 0 <= d < ctx.n:
            continue
        ei = index[pin.employee_id]
        e = ctx.p.employees[ei]
        what = f"shift {pin.shift_id}" if pin.shift_id else "a day off"
        g = ctx.group(
            Rule.PINNED,
            (e.id, d),
            f"{e.display()} is pinned to {what} on {day_words(pin.day)}",
            e.id,
            pin.day,
        )
        if pin.shift_id is None:
            lit: Lit = ctx.w[ei][d].Not()
        else:
            lit = ctx.y[ei][d].get(ctx.shift_index[pin.shift_id], False)
        if lit is False:  # pinned to a shift the person is not qualified for
            ctx.model.add_bool_or([g.Not()] if g is not None else [])
            continue
        ctx.clause(
            Rule.PINNED,
            [lit],
            hard=True,
            weight=0,
            group=g,  # type: ignore[list-item]
            employee_id=e.id,
            day=pin.day,
        )


def post_no_nights(ctx: Context) -> None:
    m = mode(ctx, Rule.NO_NIGHTS)
    if m is None:
        return
    hard, weight = m
    nights = [i for i, s in enumerate(ctx.p.shifts) if s.night]
    for ei, e in enumerate(ctx.p.employees):
        if not e.has_night_bar():
            continue
        when = "" if e.no_nights else " on protected days"
        g = ctx.group(Rule.NO_NIGHTS, (e.id,), f"{e.display()} may not work nights{when}", e.id)
        for d in range(ctx.n):
            if not e.barred_from_nights(ctx.p.date_of(d)):
                continue
            for s in nights:
                if s in ctx.y[ei][d]:
                    ctx.forbid(
                        Rule.NO_NIGHTS,
                        ctx.y[ei][d][s],
                        hard=hard,
                        weight=weight,
                        group=g,
                        employee_id=e.id,
                        day=ctx.p.date_of(d),
                    )
