"""Sequence rules over the days of each person, history included: successions, rest,
overlaps, runs of days on and off, rest days in every window."""

from __future__ import annotations

from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Employee, Problem, Rule, Violation
from scheduler.rules.limits import max_consecutive_days
from scheduler.rules.rest import GAPS, min_rest_minutes, pair_rule, rest_minutes


def check_sequences(t: Tally, p: Problem, e: Employee, w: Worked) -> None:
    n, hist = p.days, p.history_days
    pol = p.policy
    shifts = {s.id: s for s in p.shifts}
    need = min_rest_minutes(pol, e)
    for d in range(-hist, n):
        a = w.shift_on(e.id, d)
        if a is None:
            continue
        sa = shifts[a]
        for gap in GAPS:
            if d + gap < 0 or d + gap >= n:
                continue
            b = w.shift_on(e.id, d + gap)
            if b is None:
                continue
            sb = shifts[b]
            rest = rest_minutes(sa, sb, gap)
            rule = pair_rule(pol, e, sa, sb, gap)
            day = p.date_of(d + gap)
            if rule == Rule.NO_OVERLAP:
                t.violations.append(
                    Violation(
                        Rule.NO_OVERLAP,
                        f"{e.display()}: {a} and {b} overlap on {day_words(day)}",
                        e.id,
                        day,
                    )
                )
            elif rule == Rule.SHIFT_SUCCESSION:
                t.fire(
                    Rule.SHIFT_SUCCESSION,
                    1,
                    f"{e.display()} works {b} on {day_words(day)} right after {a}",
                    e.id,
                    day,
                    b,
                )
            elif rule == Rule.MIN_REST:
                t.fire(
                    Rule.MIN_REST,
                    1,
                    f"{e.display()} rests only {rest} min before {b} on {day_words(day)} "
                    f"(needs {need})",
                    e.id,
                    day,
                    b,
                )
    if pol.active(Rule.MAX_CONSECUTIVE_DAYS):
        limit = max_consecutive_days(pol, e)
        size = limit + 1
        for start in range(max(-hist, 1 - size), n - size + 1):
            if all(w.works(e.id, d) for d in range(start, start + size)):
                day = p.date_of(start + limit)
                t.fire(
                    Rule.MAX_CONSECUTIVE_DAYS,
                    1,
                    f"{e.display()} works {size} days in a row up to {day_words(day)} "
                    f"(max {limit})",
                    e.id,
                    day,
                )
    for rule, off, least in (
        (Rule.MIN_CONSECUTIVE_DAYS, False, e.min_consecutive_days),
        (Rule.MIN_CONSECUTIVE_DAYS_OFF, True, e.min_consecutive_days_off),
    ):
        if not pol.active(rule) or least <= 1:
            continue

        def on(d: int, off: bool = off) -> bool:
            return w.works(e.id, d) != off

        what = "days off" if off else "working days"
        for length in range(1, least):
            for start in range(-hist + 1, n - length):
                if (
                    not on(start - 1)
                    and not on(start + length)
                    and all(on(d) for d in range(start, start + length))
                ):
                    day = p.date_of(start)
                    t.fire(
                        rule,
                        1,
                        f"{e.display()} has only {length} {what} in a row from "
                        f"{day_words(day)} (min {least})",
                        e.id,
                        day,
                    )
    if pol.active(Rule.WEEKLY_REST):
        span, want = pol.rest_window_days, pol.min_rest_days_in_window
        for start in range(max(-hist, 1 - span), n - span + 1):
            offs = sum(1 for d in range(start, start + span) if not w.works(e.id, d))
            day = p.date_of(start + span - 1)
            t.fire(
                Rule.WEEKLY_REST,
                want - offs,
                f"{e.display()} has {offs} rest day(s) in "
                f"the {span} days up to {day_words(day)} (needs {want})",
                e.id,
                day,
            )
