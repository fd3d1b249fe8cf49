"""The pure attendance core (punches and shifts in, days out) must not load the ORM: payroll
clerks' file mode and the solver-side checks import it without a database."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = (
    "hrcore.enums",
    "hrcore.attendance.day",
    "hrcore.attendance.overtime",
    "hrcore.attendance.overtime.weekly",
    "hrcore.attendance.overtime.policies.cn",
    "hrcore.attendance.overtime.policies.us_flsa",
    "hrcore.attendance.overtime.policies.us_ca",
    "hrcore.payroll.pay",
    "hrcore.payroll.iit",
    "hrcore.payroll.deductions",
    "hrcore.payroll.social",
    "hrcore.payroll.templates",
    "hrcore.people.validation",
    "hrcore.people.config",
    "hrcore.risk.assess",
    "hrcore.risk.config",
)


@pytest.mark.parametrize("module", PURE)
def test_pure_module_does_not_load_sqlalchemy(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'alembic'})\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{module} loads {done.stdout.strip()[:200]}"


def test_models_still_export_the_codes() -> None:
    from hrcore import enums, models
    from hrcore.models import enums as model_enums

    for name in ("PunchStateCode", "WorkingHoursSystem", "RosterStatus", "LeaveKind"):
        assert getattr(models, name) is getattr(enums, name) is getattr(model_enums, name)
