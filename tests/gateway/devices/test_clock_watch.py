from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from gateway.config.service import ClockPolicy
from gateway.devices.clock_watch import Correction, measure_offset, plan_correction

TZ = "Asia/Shanghai"


def utc_for_local(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 3, hour, minute, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def test_offset_of_naive_device_clock_uses_device_zone() -> None:
    now = utc_for_local(9)
    naive = datetime(2025, 3, 3, 10, 0)  # noqa: DTZ001 - a device clock without zone
    assert measure_offset(naive, now, TZ) == 3600.0


def test_correction_is_stepped_and_guarded() -> None:
    policy = ClockPolicy(
        auto_correct=True,
        max_step_s=300,
        allowed_hours=(1, 5),
        shift_starts=(time(6, 0), time(2, 0)),
        shift_guard_minutes=30,
    )
    plan = plan_correction(policy, 3600.0, utc_for_local(3), TZ)
    assert isinstance(plan, Correction)
    assert plan.step_s == 300
    # the device is moved 300 s toward true time, no more
    assert (plan.target - utc_for_local(3)).total_seconds() == 3300
    assert plan_correction(policy, 3600.0, utc_for_local(12), TZ) == "outside allowed hours 1-5"
    assert "shift start 02:00" in str(plan_correction(policy, -90.0, utc_for_local(2, 20), TZ))
    assert plan_correction(policy, 10.0, utc_for_local(3), TZ) == "offset within threshold"
    assert plan_correction(ClockPolicy(), 3600.0, utc_for_local(3), TZ) == "auto_correct is off"


def test_allowed_hours_may_wrap_midnight() -> None:
    policy = ClockPolicy(auto_correct=True, allowed_hours=(22, 4))
    assert isinstance(plan_correction(policy, 120.0, utc_for_local(23), TZ), Correction)
    assert isinstance(plan_correction(policy, -120.0, utc_for_local(1), TZ), Correction)
    assert isinstance(plan_correction(policy, 120.0, utc_for_local(5), TZ), str)
