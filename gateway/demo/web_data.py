"""The web UI's demo: the seeded store (step 1) with attendance computed, three users, and a
config folder `shiftgate serve` runs from (site, no polled clocks, demand, policy).

Tests, the browser tests and ``bench/api_load.py`` build their stores with it too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from gateway.auth.secrets import Passwords
from gateway.auth.service import create_user
from gateway.demo.sample_data import DATA_DIR, DAYS, FIRST_DAY, SITE_CODE
from hrcore.enums import Role
from hrcore.store.attendance import compute_attendance

POLICIES = Path(__file__).resolve().parents[2] / "config" / "policies"
DEMO_PASSWORD = "shiftgate-demo"  # noqa: S105 - the demo store's printed login
#: (username, role): the login printed by the demo is the first
DEMO_USERS = (("demo", Role.ADMIN), ("hr", Role.HR), ("viewer", Role.VIEWER))
DEFAULT_PORT = 8600
#: the week after the sample fortnight: what HR rosters next
NEXT_WEEK = (FIRST_DAY + timedelta(days=DAYS), FIRST_DAY + timedelta(days=DAYS + 6))
DEMAND_YAML = """\
# Demand of the demo site DEMO-WH: people per shift (any skill), every day.
under_weight: 1000
over_weight: 1
base:
  D: {any: {min: 7, target: 9, max: 12}}
  N: {any: {min: 3, target: 4, max: 5}}
"""


@dataclass(frozen=True, slots=True)
class WebDemo:
    config_dir: Path
    username: str
    password: str
    first_day: date
    last_day: date


def write_config(config_dir: Path, *, port: int = DEFAULT_PORT) -> None:
    """site.yaml, an empty devices.yaml, gateway.yaml (co-located), demand, the policies
    (rostering rules, payroll city templates)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA_DIR / "site.yaml", config_dir / "site.yaml")
    shutil.copytree(POLICIES, config_dir / "policies", dirs_exist_ok=True)
    (config_dir / "devices.yaml").write_text("devices: []\n", encoding="utf-8")
    (config_dir / "gateway.yaml").write_text(
        f"serve:\n  host: 127.0.0.1\n  port: {port}\ncentre:\n  url:\n", encoding="utf-8"
    )
    (config_dir / "demand.yaml").write_text(DEMAND_YAML, encoding="utf-8")


def prepare(
    factory: sessionmaker[Session], config_dir: Path, *, clock: Callable[[], datetime]
) -> WebDemo:
    """On a store seeded by demo step 1: compute the fortnight, add the demo users, write
    the config folder."""
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    passwords = Passwords()
    with factory.begin() as session:
        compute_attendance(session, FIRST_DAY, last, clock=clock, site_code=SITE_CODE, actor="demo")
        for username, role in DEMO_USERS:
            create_user(
                session,
                passwords,
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                display_name=username.title(),
                now=clock(),
                actor="demo",
            )
    write_config(config_dir)
    return WebDemo(
        config_dir=config_dir,
        username=DEMO_USERS[0][0],
        password=DEMO_PASSWORD,
        first_day=FIRST_DAY,
        last_day=last,
    )
