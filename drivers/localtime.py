"""Device wall-clock time -> aware datetime, one rule for every driver.

A device shows a zone-less wall time. Around a daylight-saving change that time can be
ambiguous (autumn: the hour from 02:00 to 03:00 in Europe/Berlin happens twice) or impossible
(spring: 02:30 never happens). A device clock that switched cannot record an impossible time;
one that did not switch can record both kinds. The rule:

- ambiguous: the first occurrence (``fold=0``, the offset still in force before the change);
- impossible: read as the device not having switched yet, i.e. with the offset in force before
  the change (``fold=0`` again), so 02:30 on 2025-03-30 in Berlin is 02:30+01:00 = 01:30 UTC.

Nothing is flagged: the wall time is kept as shown (the punch id is built over it), only the
UTC instant depends on this rule.
"""

from __future__ import annotations

from datetime import datetime, tzinfo


def attach_zone(wall: datetime, zone: tzinfo) -> datetime:
    """``wall`` (naive, as the device showed it) in ``zone``, by the rule above."""
    if wall.tzinfo is not None:
        raise ValueError(f"attach_zone needs a naive wall time, got {wall.isoformat()}")
    return wall.replace(tzinfo=zone, fold=0)
