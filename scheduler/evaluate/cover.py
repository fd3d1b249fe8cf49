"""Coverage: head count per demand line against minimum, target and maximum."""

from __future__ import annotations

from scheduler.evaluate.tally import Tally, Worked, day_words
from scheduler.model import Problem, Rule


def check_cover(t: Tally, p: Problem, w: Worked) -> None:
    for line in p.demand:
        d = p.index_of(line.day)
        if not 0 <= d < p.days:
            continue
        n = sum(
            1
            for e in p.employees
            if (v := w.at.get((e.id, d))) is not None
            and v[0] == line.shift_id
            and (line.skill is None or v[1] == line.skill)
        )
        who = f"{line.skill} staff" if line.skill else "people"
        when = f"{day_words(line.day)} shift {line.shift_id}"
        t.fire(
            Rule.COVER_MINIMUM,
            line.minimum - n,
            f"{n} {who} on {when}, minimum {line.minimum}",
            day=line.day,
            shift_id=line.shift_id,
        )
        if line.maximum is not None:
            t.fire(
                Rule.COVER_MAXIMUM,
                n - line.maximum,
                f"{n} {who} on {when}, maximum {line.maximum}",
                day=line.day,
                shift_id=line.shift_id,
            )
        if n < line.target:
            t.cost(
                Rule.COVER_UNDER,
                line.under_weight * (line.target - n),
                f"{line.target - n} {who} short on {when} ({n} of {line.target})",
                day=line.day,
                shift_id=line.shift_id,
            )
        elif n > line.target:
            t.cost(
                Rule.COVER_OVER,
                line.over_weight * (n - line.target),
                f"{n - line.target} {who} over on {when} ({n} for {line.target})",
                day=line.day,
                shift_id=line.shift_id,
            )
