"""Sequence rules as clauses on the per-day "works" literals (history included).

Every rule here looks at a window of consecutive days in the extended range
[-history_days, days - 1]; windows must touch the horizon. Days before the known history
and after the horizon are unknown and never make a window.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.constraints.context import Context, Lit, day_words, mode
from scheduler.model import Employee, Rule
from scheduler.rules.limits import max_consecutive_days
from scheduler.rules.rest import GAPS, min_rest_minutes, pair_rule


def _neg(lit: Lit) -> Lit:
    if isinstance(lit, bool):
        return not lit
    return lit.Not()  # type: ignore[union-attr]


def post_successions(ctx: Context) -> None:
    """Forbidden shift pairs on consecutive days: rotation lists, min rest, overlaps."""
    pol = ctx.p.policy
    shifts = ctx.p.shifts
    for ei, e in enumerate(ctx.p.employees):
        need = min_rest_minutes(pol, e)
        # (gap, s, t) -> (rule, hard, weight)
        pairs: list[tuple[int, int, int, Rule, bool, int]] = []
        for si, s in enumerate(shifts):
            for ti, t in enumerate(shifts):
                for gap in GAPS:
                    rule = pair_rule(pol, e, s, t, gap)
                    if rule == Rule.NO_OVERLAP:
                        pairs.append((gap, si, ti, rule, True, 0))
                    elif rule is not None:
                        pairs.append((gap, si, ti, rule, *_mode_of(ctx, rule)))
        # hard pairs: one constraint per (day, shift) - "s on day d plus any forbidden
        # successor on day d + gap is at most one" - instead of one clause per pair
        grouped: dict[tuple[int, int, Rule], list[int]] = {}
        for gap, si, ti, rule, hard, _w in pairs:
            if hard:
                grouped.setdefault((gap, si, rule), []).append(ti)
        for (gap, si, rule), targets in grouped.items():
            g = ctx.group(rule, (e.id,), _pair_words(ctx, e, rule, need, si, targets[0]), e.id)
            g = g if rule != Rule.NO_OVERLAP else None
            _post_forbidden_next(ctx, ei, gap, si, targets, rule, g)
        for gap, si, ti, rule, hard, weight in pairs:
            if hard:
                continue
            words = _pair_words(ctx, e, rule, need, si, ti)
            g = ctx.group(rule, (e.id,), words, e.id) if rule != Rule.NO_OVERLAP else None
            for d in range(-ctx.p.history_days, ctx.n - gap):
                if d + gap < 0:
                    continue
                a = ctx.on_shift(ei, d, si)
                b = ctx.on_shift(ei, d + gap, ti)
                ctx.clause(
                    rule,
                    [_neg(a), _neg(b)],
                    hard=hard,
                    weight=weight,
                    group=g,
                    employee_id=e.id,
                    day=ctx.p.date_of(d + gap),
                )


def _mode_of(ctx: Context, rule: Rule) -> tuple[bool, int]:
    m = mode(ctx, rule)
    assert m is not None  # pair_rule names only the policy's active rules
    return m


def _pair_words(ctx: Context, e: Employee, rule: Rule, need: int, si: int, ti: int) -> str:
    shifts = ctx.p.shifts
    if rule == Rule.NO_OVERLAP:
        return f"{e.display()} cannot work overlapping shifts"
    if rule == Rule.SHIFT_SUCCESSION:
        return f"{e.display()} may not work {shifts[ti].id} the day after {shifts[si].id}"
    return f"{e.display()} needs {need // 60} h {need % 60:02d} min rest between shifts"


def _post_forbidden_next(
    ctx: Context,
    ei: int,
    gap: int,
    si: int,
    targets: list[int],
    rule: Rule,
    group: cp_model.IntVar | None,
) -> None:
    """Hard: shift `si` on day d excludes every shift in `targets` on day d + gap."""
    for d in range(-ctx.p.history_days, ctx.n - gap):
        if d + gap < 0:
            continue
        a = ctx.on_shift(ei, d, si)
        if a is False:
            continue
        nxt = [b for b in (ctx.on_shift(ei, d + gap, ti) for ti in targets) if b is not False]
        if not nxt:
            continue
        if a is True:  # worked in the history: the successors are simply forbidden
            for b in nxt:
                ctx.forbid(rule, b, hard=True, weight=0, group=group)  # type: ignore[arg-type]
            continue
        c = ctx.model.add(a + sum(nxt) <= 1)  # type: ignore[operator]
        if group is not None:
            c.only_enforce_if(group)


def _windows(ctx: Context, length: int) -> range:
    """Start days of windows of `length` days inside the extended range, touching day >= 0."""
    first = max(-ctx.p.history_days, 1 - length)
    return range(first, ctx.n - length + 1)


def post_max_consecutive(ctx: Context) -> None:
    m = mode(ctx, Rule.MAX_CONSECUTIVE_DAYS)
    if m is None:
        return
    hard, weight = m
    for ei, e in enumerate(ctx.p.employees):
        limit = max_consecutive_days(ctx.p.policy, e)
        g = ctx.group(
            Rule.MAX_CONSECUTIVE_DAYS,
            (e.id,),
            f"{e.display()} may work at most {limit} days in a row",
            e.id,
        )
        for start in _windows(ctx, limit + 1):
            lits = [_neg(ctx.works(ei, d)) for d in range(start, start + limit + 1)]
            ctx.clause(
                Rule.MAX_CONSECUTIVE_DAYS,
                lits,
                hard=hard,
                weight=weight,
                group=g,
                employee_id=e.id,
                day=ctx.p.date_of(start + limit),
            )


def _min_runs(
    ctx: Context, ei: int, least: int, rule: Rule, hard: bool, weight: int, words: str, off: bool
) -> None:
    """Forbid interior runs (neighbour days inside the extended range on both sides)
    shorter than `least` of worked days (or of days off if `off`)."""
    e = ctx.p.employees[ei]
    g = ctx.group(rule, (e.id,), words, e.id)

    def val(d: int) -> Lit:
        lit = ctx.works(ei, d)
        return _neg(lit) if off else lit

    for length in range(1, least):
        for start in range(-ctx.p.history_days + 1, ctx.n - length):
            # run = [start, start + length - 1]; neighbours start - 1 and start + length
            lits = [
                val(start - 1),
                *(_neg(val(d)) for d in range(start, start + length)),
                val(start + length),
            ]
            ctx.clause(
                rule,
                lits,
                hard=hard,
                weight=weight,
                group=g,
                employee_id=e.id,
                day=ctx.p.date_of(start),
            )


def post_min_consecutive(ctx: Context) -> None:
    for rule, off in ((Rule.MIN_CONSECUTIVE_DAYS, False), (Rule.MIN_CONSECUTIVE_DAYS_OFF, True)):
        m = mode(ctx, rule)
        if m is None:
            continue
        hard, weight = m
        for ei, e in enumerate(ctx.p.employees):
            least = e.min_consecutive_days_off if off else e.min_consecutive_days
            if least <= 1:
                continue
            what = "days off" if off else "working days"
            _min_runs(
                ctx,
                ei,
                least,
                rule,
                hard,
                weight,
                f"{e.display()} needs at least {least} {what} in a row",
                off,
            )


def post_weekly_rest(ctx: Context) -> None:
    m = mode(ctx, Rule.WEEKLY_REST)
    if m is None:
        return
    hard, weight = m
    pol = ctx.p.policy
    span, need = pol.rest_window_days, pol.min_rest_days_in_window
    for ei, e in enumerate(ctx.p.employees):
        g = ctx.group(
            Rule.WEEKLY_REST,
            (e.id,),
            f"{e.display()} needs {need} rest day(s) in every {span} days",
            e.id,
        )
        for start in _windows(ctx, span):
            days = range(start, start + span)
            known_off = sum(1 for d in days if d < 0 and not ctx.works(ei, d))
            live = [ctx.w[ei][d] for d in days if d >= 0]
            rest_needed = need - known_off
            if rest_needed <= 0:
                continue
            if rest_needed == 1:
                ctx.clause(
                    Rule.WEEKLY_REST,
                    [v.Not() for v in live],
                    hard=hard,
                    weight=weight,
                    group=g,
                    employee_id=e.id,
                    day=ctx.p.date_of(start + span - 1),
                )
            else:
                offs = len(live) - sum(live)
                ctx.at_least(
                    Rule.WEEKLY_REST,
                    offs,
                    rest_needed,
                    hard=hard,
                    weight=weight,
                    group=g,
                    employee_id=e.id,
                    day=ctx.p.date_of(start + span - 1),
                )


__all__ = [
    "day_words",
    "post_max_consecutive",
    "post_min_consecutive",
    "post_successions",
    "post_weekly_rest",
]
