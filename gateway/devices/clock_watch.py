"""Clock watch: measure a device's offset at each contact, alert on drift, and decide whether
an automatic correction is allowed (maximum step, allowed hours, never near a shift start)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.config.service import ClockPolicy


def measure_offset(device_clock: datetime, true_now: datetime, timezone: str) -> float:
    """Device clock minus true time, in seconds. A naive device clock is read in its zone."""
    if device_clock.tzinfo is None:
        device_clock = device_clock.replace(tzinfo=ZoneInfo(timezone))
    return (device_clock - true_now).total_seconds()


@dataclass(frozen=True, slots=True)
class Correction:
    """A clock step the policy allows: set the device to ``target`` (its local time)."""

    target: datetime
    step_s: float


def _in_hours(hour_minute: float, window: tuple[int, int]) -> bool:
    start, end = window
    if start == end:
        return False
    if start < end:
        return start <= hour_minute < end
    return hour_minute >= start or hour_minute < end


def correction_refusal(policy: ClockPolicy, local_now: datetime) -> str | None:
    """Why a correction may not run now (``None``: it may). ``local_now`` is true time in the
    device's zone."""
    if not policy.auto_correct:
        return "auto_correct is off"
    hm = local_now.hour + local_now.minute / 60
    if not _in_hours(hm, policy.allowed_hours):
        return f"outside allowed hours {policy.allowed_hours[0]}-{policy.allowed_hours[1]}"
    guard = timedelta(minutes=policy.shift_guard_minutes)
    for start in policy.shift_starts:
        for day in (-1, 0, 1):
            at = datetime.combine(local_now.date() + timedelta(days=day), start, local_now.tzinfo)
            if abs(at - local_now) <= guard:
                return f"within {policy.shift_guard_minutes} min of shift start {start:%H:%M}"
    return None


def plan_correction(
    policy: ClockPolicy, offset_s: float, true_now: datetime, timezone: str
) -> Correction | str:
    """The correction to apply, or the reason none is applied."""
    if abs(offset_s) <= policy.alert_threshold_s:
        return "offset within threshold"
    local_now = true_now.astimezone(ZoneInfo(timezone))
    refusal = correction_refusal(policy, local_now)
    if refusal is not None:
        return refusal
    step = max(-policy.max_step_s, min(policy.max_step_s, offset_s))
    return Correction(target=local_now + timedelta(seconds=offset_s - step), step_s=step)
