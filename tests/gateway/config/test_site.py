"""site.yaml / devices.yaml: the shipped examples load; bad files name file, key and expectation."""

from __future__ import annotations

import shutil
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from drivers.files.driver import FileImportConfig
from gateway.cli.main import app
from gateway.config.apply import apply_configuration
from gateway.config.site import load_site_config
from gateway.errors import ConfigError, Problem
from hrcore.errors import InvalidData
from hrcore.models import Protection, ShiftType
from hrcore.secrets import generate_key
from hrcore.store import (
    ShiftTypeIn,
    SiteIn,
    device_user_map,
    get_device,
    get_site,
    list_employees,
    save_shift_type,
    save_site,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "config"

SITE = """\
code: WH1
name: Warehouse 1
timezone: Asia/Shanghai
org_units:
  - {code: OPS, name: Operations}
shift_types:
  - {code: N, start: "22:00", end: "06:00"}
employees:
  - {code: E1, name: A, hire_date: 2024-01-01, device_user: 007, base_pay: 4500.10}
"""

DEVICES = """\
devices:
  - serial: SN1
    driver: files
    settings: {path: a.dat}
"""


def write(tmp_path: Path, site: str = SITE, devices: str | None = DEVICES) -> Path:
    (tmp_path / "site.yaml").write_text(site, encoding="utf-8")
    if devices is not None:
        (tmp_path / "devices.yaml").write_text(devices, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, site: str = SITE, devices: str | None = DEVICES) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_site_config(write(tmp_path, site, devices))
    return caught.value


def test_shipped_examples_are_valid() -> None:
    config = load_site_config(EXAMPLES)
    assert config.site.code == "HZ-WH1"
    assert {e.device_user for e in config.site.employees} == {"1", "2"}
    drivers = ["files", "files", "adms", "isapi", "serial", "modbus"]
    assert [d.driver for d in config.devices] == drivers
    first = config.devices[0].settings
    assert isinstance(first, FileImportConfig)
    assert (first.serial, first.timezone) == ("CKJX194960123", "Asia/Shanghai")


def test_shipped_devices_file_is_valid_for_the_gateway_service_too() -> None:
    from gateway.config.service import load_service_config

    enabled = [d.serial for d in load_site_config(EXAMPLES).devices if d.enabled]
    assert enabled
    assert [d.serial for d in load_service_config(EXAMPLES).devices] == enabled


def test_gateway_service_keys_are_accepted_and_site_is_checked(tmp_path: Path) -> None:
    extra = "    site: WH1\n    live: false\n    rediscover_subnet: 192.168.1.0/24\n"
    [device] = load_site_config(write(tmp_path, devices=DEVICES + extra)).devices
    assert device.live is False
    error = problems(tmp_path, devices=DEVICES + extra.replace("WH1", "WH9"))
    assert [(p.key, p.message) for p in error.problems] == [
        ("devices[0].site", "'WH9' is not this site ('WH1')")
    ]


def test_yaml_dialect_keeps_codes_times_and_money_exact(tmp_path: Path) -> None:
    config = load_site_config(write(tmp_path))
    [emp] = config.site.employees
    assert emp.device_user == "007"  # not octal 7
    assert emp.base_pay == Decimal("4500.10")  # not a float
    [shift] = config.site.shift_types
    assert (shift.start, shift.end) == (time(22), time(6))
    [device] = config.devices
    assert device.timezone == "Asia/Shanghai"  # inherited from the site
    assert device.make_driver().info().serial_number == "SN1"


@pytest.mark.parametrize(
    ("site", "key", "expected"),
    [
        (SITE.replace("Asia/Shanghai", "Asia/Peking"), "timezone", "IANA timezone"),
        (SITE.replace("name: Warehouse 1\n", ""), "name", "Field required"),
        (SITE + "colour: blue\n", "colour", "unknown key"),
        (SITE.replace("2024-01-01", "2024-02-30"), "employees[0].hire_date", "valid date"),
        (SITE.replace('"22:00"', '"25:00"'), "shift_types[0].start", "valid time"),
        (SITE.replace('"22:00"', "7"), "shift_types[0].start", "'HH:MM'"),
        (
            SITE.replace('end: "06:00"', 'end: "06:00", in_out_mode: device'),
            "shift_types[0].in_out_mode",
            "'state' or 'alternating'",
        ),
        (
            SITE.replace('end: "06:00"', 'end: "06:00", hours_mode: all'),
            "shift_types[0].hours_mode",
            "'first_last' or 'pairs'",
        ),
        (SITE.replace("4500.10", "-1"), "employees[0].base_pay", "greater than or equal to 0"),
        (SITE.replace("4500.10", "4500.123"), "employees[0].base_pay", "at most 2 decimals"),
        (SITE.replace("device_user: 007", "org_unit: HR"), "employees[0].org_unit", "'HR'"),
        (
            SITE.replace("{code: OPS, name: Operations}", "{code: OPS, name: O, parent: OPS}"),
            "org_units[0].parent",
            "cycle",
        ),
        (SITE + "  - {code: E1, name: B, hire_date: 2024-01-01}\n", "employees[1].code", "unique"),
        (
            SITE.replace("hire_date: 2024-01-01", "hire_date: 2024-01-01, exit_date: 2023-01-01"),
            "employees[0]",
            "before hire_date",
        ),
        (
            SITE.replace("base_pay: 4500.10", "roster: {min_rest_hours: 11.001}"),
            "employees[0].roster.min_rest_hours",
            "whole minutes",
        ),
        (
            SITE.replace("base_pay: 4500.10", "roster: {max_consecutive_days: 0}"),
            "employees[0].roster.max_consecutive_days",
            "greater than or equal to 1",
        ),
        (
            SITE.replace("base_pay: 4500.10", "roster: {no_night: true}"),
            "employees[0].roster.no_night",
            "unknown key",
        ),
        (
            SITE.replace(
                "base_pay: 4500.10",
                "roster: {protections: [{kind: no_nights, start: 2027-01-02, end: 2027-01-01}]}",
            ),
            "employees[0].roster.protections[0]",
            "before start",
        ),
        (
            SITE.replace(
                "base_pay: 4500.10",
                "roster: {protections: [{kind: pregnant, start: 2027-01-01, end: 2027-01-02}]}",
            ),
            "employees[0].roster.protections[0].kind",
            "'no_nights' or 'no_overtime'",
        ),
    ],
)
def test_bad_site_file_names_the_key(tmp_path: Path, site: str, key: str, expected: str) -> None:
    error = problems(tmp_path, site=site)
    assert error.path == tmp_path / "site.yaml"
    assert [p.key for p in error.problems] == [key]
    assert expected in error.problems[0].message
    assert str(error).startswith(f"{tmp_path / 'site.yaml'}: {key}: ")


@pytest.mark.parametrize(
    ("devices", "key", "expected"),
    [
        (DEVICES.replace("driver: files", "driver: nope"), "devices[0].driver", "unknown driver"),
        (
            DEVICES.replace("path: a.dat", "path: a.dat, format: xml"),
            "devices[0].settings.format",
            "'attlog', 'csv' or 'xlsx'",
        ),
        (DEVICES.replace("{path: a.dat}", "{}"), "devices[0].settings.path", "Field required"),
        (
            DEVICES.replace("{path: a.dat}", "{path: a, port: 4370}"),
            "devices[0].settings.port",
            "unknown key",
        ),
        (DEVICES + "    timezone: Mars/Olympus\n", "devices[0].timezone", "IANA timezone"),
        (DEVICES + "    poll_interval_s: 0\n", "devices[0].poll_interval_s", "greater than 0"),
        (DEVICES + "    pol_interval_s: 5\n", "devices[0].pol_interval_s", "unknown key"),
    ],
)
def test_bad_devices_file_names_the_key(
    tmp_path: Path, devices: str, key: str, expected: str
) -> None:
    error = problems(tmp_path, devices=devices)
    assert error.path == tmp_path / "devices.yaml"
    assert [p.key for p in error.problems] == [key]
    assert expected in error.problems[0].message


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    devices = (
        DEVICES
        + DEVICES.removeprefix("devices:\n").replace("files", "nope")
        + ("  - {serial: SN2, driver: files, settings: {path: b, format: csv}}\n")
    )
    error = problems(tmp_path, devices=devices)
    assert [p.key for p in error.problems] == [
        "devices[1].serial",
        "devices[1].driver",
        "devices[2].settings",
    ]
    assert "already used by devices[0]" in error.problems[0].message
    assert "needs a 'csv' column mapping" in error.problems[2].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code: [unclosed\n", "line 2, column 1: invalid YAML"),
        ("- just\n- a list\n", "expected a mapping of keys at the top, got list"),
    ],
)
def test_unparseable_files_say_where(tmp_path: Path, text: str, expected: str) -> None:
    error = problems(tmp_path, site=text)
    assert error.problems == (Problem("", error.problems[0].message),)
    assert expected in error.problems[0].message


def test_missing_site_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"site\.yaml: file not found"):
        load_site_config(tmp_path)


def test_cli_check_prints_problems_and_exits_2(tmp_path: Path) -> None:
    write(tmp_path, devices=DEVICES.replace("driver: files", "driver: nope"))
    result = CliRunner().invoke(
        app, ["config", "check", "--config-dir", str(tmp_path)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 2
    assert f"{tmp_path / 'devices.yaml'}: devices[0].driver: unknown driver 'nope'" in result.output
    assert "Traceback" not in result.output
    ok = CliRunner().invoke(app, ["config", "check", "--config-dir", str(EXAMPLES)])
    assert ok.exit_code == 0, ok.output
    assert "configuration is valid" in ok.output


def test_apply_writes_the_configuration_idempotently(
    session_factory: sessionmaker[Session],
) -> None:
    config = load_site_config(EXAMPLES)
    key = generate_key()  # the example ISAPI terminal's password is stored encrypted
    for _ in range(2):
        with session_factory.begin() as s:
            counts = apply_configuration(s, config, secret_key=key)
    assert (counts.employees, counts.device_users, counts.devices) == (2, 2, 6)
    with session_factory() as s:
        site = get_site(s, "HZ-WH1")
        assert [e.code for e in list_employees(s, site)] == ["E0001", "E0002"]
        assert device_user_map(s, site) == {"1": "E0001", "2": "E0002"}
        device = get_device(s, "CKJX194960123")
        assert device.driver == "files"
        assert device.connection["path"] == "var/import/CKJX194960123_attlog.dat"
        assert device.secret_ciphertext is None


def test_cli_apply_needs_a_migrated_database(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLES, config_dir)
    env = {
        "SHIFTGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SHIFTGATE_SECRET_KEY": generate_key(),
        "COLUMNS": "300",
    }
    args = ["config", "apply", "--config-dir", str(config_dir)]
    refused = CliRunner().invoke(app, args, env=env)
    assert refused.exit_code == 1
    assert "shiftgate db upgrade" in refused.output
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    applied = CliRunner().invoke(app, args, env=env)
    assert applied.exit_code == 0, applied.output
    assert "2 employees (2 device users), 6 devices applied" in applied.output


def test_shift_type_modes_reach_the_store(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    site = SITE.replace(
        '  - {code: N, start: "22:00", end: "06:00"}\n',
        '  - {code: N, start: "22:00", end: "06:00", in_out_mode: state, hours_mode: pairs}\n'
        '  - {code: D, start: "08:00", end: "17:00"}\n',
    )
    config = load_site_config(write(tmp_path, site=site))
    with session_factory.begin() as s:
        apply_configuration(s, config, secret_key=None)
    with session_factory() as s:
        modes = {
            row.code: (row.in_out_mode, row.hours_mode)
            for row in s.scalars(select(ShiftType).order_by(ShiftType.code))
        }
    assert modes == {"D": ("alternating", "first_last"), "N": ("state", "pairs")}


def test_store_refuses_an_unknown_shift_mode(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as s:
        site = save_site(s, SiteIn("WH9", "Warehouse 9", "Asia/Shanghai"))
        with pytest.raises(InvalidData, match="in_out_mode 'device' is not one of state"):
            save_shift_type(
                s,
                site,
                ShiftTypeIn("X", time(8), time(17), in_out_mode="device"),  # type: ignore[arg-type]
            )


def test_personal_roster_limits_reach_the_store(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    limits = (
        "roster: {no_nights: true, max_consecutive_days: 5, min_rest_hours: 12,"
        " overtime_cap_hours_per_day: 1.5, overtime_cap_hours_per_month: 20}"
    )
    site = SITE.replace("base_pay: 4500.10", limits) + (
        "  - {code: E2, name: B, hire_date: 2024-01-01}\n"
    )
    config = load_site_config(write(tmp_path, site=site))
    with session_factory.begin() as s:
        apply_configuration(s, config, secret_key=None)
    with session_factory() as s:
        rows = {e.code: e for e in list_employees(s, get_site(s, "WH1"))}
        got = [
            (
                e.no_nights,
                e.no_overtime,
                e.max_consecutive_days,
                e.min_rest_minutes,
                e.daily_overtime_cap_minutes,
                e.monthly_overtime_cap_minutes,
            )
            for e in (rows["E1"], rows["E2"])
        ]
    assert got == [(True, False, 5, 720, 90, 1200), (False, False, None, None, None, None)]


def test_protection_periods_reach_the_store(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    periods = (
        "roster: {protections: [{kind: no_nights, start: 2026-12-01, end: 2027-08-31},"
        " {kind: no_overtime, start: 2026-12-01, end: 2027-08-31}]}"
    )
    config = load_site_config(write(tmp_path, site=SITE.replace("base_pay: 4500.10", periods)))
    with session_factory.begin() as s:
        apply_configuration(s, config, secret_key=None)
    with session_factory() as s:
        rows = s.scalars(select(Protection).order_by(Protection.kind)).all()
        got = [(p.kind, p.start_date, p.end_date) for p in rows]
    span = (date(2026, 12, 1), date(2027, 8, 31))
    assert got == [("no_nights", *span), ("no_overtime", *span)]
