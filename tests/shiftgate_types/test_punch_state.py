"""One punch-state enum: what a driver reads is what the store keeps, by the same class."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from drivers.punch import Punch, PunchState
from gateway.punches.mapping import to_wire
from hrcore.attendance.model import IN_STATES, OUT_STATES
from hrcore.enums import PunchStateCode
from hrcore.models import PunchRecord
from shiftgate_types import PunchState as SharedPunchState


def test_drivers_and_the_store_name_one_class() -> None:
    assert PunchState is PunchStateCode is SharedPunchState
    stored = PunchRecord.__table__.c.state.type
    assert list(stored.enums) == [s.value for s in SharedPunchState]  # type: ignore[attr-defined]
    assert PunchState.OVERTIME_IN in IN_STATES and PunchState.BREAK_OUT in OUT_STATES


def test_a_driver_punch_reaches_the_store_with_its_own_state() -> None:
    local = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    punch = Punch(device_sn="SN1", device_user="7", local=local, state=PunchState.BREAK_IN)
    received = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    stored = to_wire(punch, timezone="Asia/Shanghai", received_at=received).to_punch_in()
    assert stored.state is PunchStateCode.BREAK_IN is punch.state


def test_the_shared_package_loads_nothing_of_ours() -> None:
    probe = (
        "import sys, shiftgate_types\n"
        "ours = {'drivers', 'hrcore', 'gateway', 'scheduler', 'sqlalchemy', 'pydantic'}\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ours)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
