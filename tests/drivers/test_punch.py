from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.punch import (
    PUNCH_NAMESPACE,
    Punch,
    PunchState,
    VerifyMode,
    make_punch,
    punch_id,
)


def test_punch_id_is_deterministic_over_serial_user_and_wall_time() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    a = Punch("SN1", "42", datetime(2025, 3, 1, 8, 59, 3, tzinfo=shanghai), PunchState.IN)
    b = Punch("SN1", "42", datetime(2025, 3, 1, 8, 59, 3, 500, tzinfo=timezone(timedelta(hours=8))))
    assert a.id == b.id == punch_id("SN1", "42", datetime(2025, 3, 1, 8, 59, 3))  # noqa: DTZ001 - wall time
    assert a.id != Punch("SN2", "42", a.local).id
    assert a.id != Punch("SN1", "43", a.local).id
    assert a.id != Punch("SN1", "42", a.local + timedelta(seconds=1)).id


def test_punch_at_is_utc() -> None:
    p = Punch("SN1", "7", datetime(2025, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert p.at == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def test_naive_time_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="naive time"):
        Punch("SN1", "7", datetime(2025, 3, 1, 8, 0))  # noqa: DTZ001


@settings(max_examples=200, deadline=None)
@given(
    st.text(min_size=1, max_size=12),
    st.text(min_size=1, max_size=12),
    st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Asia/Shanghai")])),
)
def test_make_punch_equals_the_constructor(sn: str, user: str, local: datetime) -> None:
    local = local.replace(microsecond=0)
    wall = local.replace(tzinfo=None).isoformat(timespec="seconds")
    fast = make_punch(sn, user, local, wall, PunchState.OUT, VerifyMode.FACE, "src", "00ff", 2.0)
    slow = Punch(sn, user, local, PunchState.OUT, VerifyMode.FACE, "src", "00ff", 2.0)
    assert fast == slow and hash(fast.id) == hash(slow.id)
    assert fast.id == uuid.uuid5(PUNCH_NAMESPACE, f"{sn}|{user}|{wall}")
