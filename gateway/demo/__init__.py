"""`shiftgate demo`: the main job end to end on the embedded default (SQLite + simulated devices).

Each capability adds one step module here and one entry in :data:`STEPS`, in the order the
story is told: punches flow in, hours are computed, a roster is solved, the result is shown.
"""

from __future__ import annotations

from gateway.demo import (
    attendance_step,
    benchmark_step,
    exports_step,
    gateway_step,
    multisite_step,
    payroll_step,
    people_step,
    push_step,
    roster_step,
    seed_import,
    serial_modbus_step,
    shifts_step,
    web_step,
    zkteco_step,
)
from gateway.demo.runner import DemoContext, DemoStep, run_demo

STEPS: tuple[DemoStep, ...] = (
    seed_import.STEP,
    zkteco_step.STEP,
    gateway_step.STEP,
    multisite_step.STEP,
    attendance_step.STEP,
    payroll_step.STEP,
    serial_modbus_step.STEP,  # after the month's pay: its punches are of no site
    push_step.STEP,  # likewise
    roster_step.STEP,
    shifts_step.STEP,
    people_step.STEP,
    benchmark_step.STEP,
    exports_step.STEP,  # what the stages computed, as files
    web_step.STEP,  # last: the demo ends with the UI's URL and a login
)

__all__ = ["STEPS", "DemoContext", "DemoStep", "run_demo"]
