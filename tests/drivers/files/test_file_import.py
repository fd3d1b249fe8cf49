"""File-import driver: attlog.dat and CSV parsing, bad lines, the cursor over a growing file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from drivers.base import Capability
from drivers.errors import BadRecords, DeviceUnreachable, DriverConfigError
from drivers.files.attlog import format_line
from drivers.files.driver import FileImportConfig, FileImportDriver
from drivers.punch import PunchState, VerifyMode, punch_id
from drivers.registry import load_driver

SHANGHAI = ZoneInfo("Asia/Shanghai")


def driver(path: Path, **extra: object) -> FileImportDriver:
    settings: dict[str, object] = {"path": str(path), "serial": "SN1", "timezone": "Asia/Shanghai"}
    settings.update(extra)
    return FileImportDriver.from_settings(settings)


ATTLOG = (
    "        1\t2025-03-03 08:59:01\t1\t0\t1\t0\r\n"
    "       42\t2025-03-03 18:02:30\t1\t1\t15\t0\t0\t0\r\n"  # extra trailing fields
    "\r\n"
    "7\t2025-03-03 12:00:00\n"  # only user and time
    "    12345\t2025-03-03 13:00:00\t1\t255\t7\t0\n"  # unknown state / verify codes
)


def test_driver_is_registered_as_a_pull_only_plugin() -> None:
    cls = load_driver("files")
    assert cls is FileImportDriver
    assert cls.capabilities == frozenset({Capability.PULL})
    assert cls.config_model is FileImportConfig


def test_attlog_lines_become_punches(tmp_path: Path) -> None:
    path = tmp_path / "1_attlog.dat"
    path.write_bytes(b"\xef\xbb\xbf" + ATTLOG.encode())
    result = driver(path).read_punches()
    got = [(p.device_user, p.local, p.state, p.verify_mode) for p in result.punches]
    assert got == [
        (
            "1",
            datetime(2025, 3, 3, 8, 59, 1, tzinfo=SHANGHAI),
            PunchState.IN,
            VerifyMode.FINGERPRINT,
        ),
        ("42", datetime(2025, 3, 3, 18, 2, 30, tzinfo=SHANGHAI), PunchState.OUT, VerifyMode.FACE),
        (
            "7",
            datetime(2025, 3, 3, 12, 0, tzinfo=SHANGHAI),
            PunchState.UNDEFINED,
            VerifyMode.UNKNOWN,
        ),
        (
            "12345",
            datetime(2025, 3, 3, 13, 0, tzinfo=SHANGHAI),
            PunchState.UNDEFINED,
            VerifyMode.OTHER,
        ),
    ]
    first = result.punches[0]
    assert first.id == punch_id("SN1", "1", datetime(2025, 3, 3, 8, 59, 1, tzinfo=SHANGHAI))
    assert first.at.isoformat() == "2025-03-03T00:59:01+00:00"
    assert first.device_sn == "SN1"
    assert first.source == "file:attlog"
    assert first.raw == "        1\t2025-03-03 08:59:01\t1\t0\t1\t0"


def test_every_malformed_line_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(
        "1\t2025-03-03 08:00:00\t1\t0\t1\t0\n"
        "garbage without tabs\n"
        "2\t2025-02-30 08:00:00\t1\t0\t1\t0\n"
        "\t2025-03-03 08:00:00\t1\t0\t1\t0\n"
        "3\t2025-03-03 08:00:00\t1\tX\t1\t0\n"
        "4\t2025-03-03 09:00:00\t1\t1\t1\t0\n",
        encoding="utf-8",
    )
    with pytest.raises(BadRecords) as caught:
        driver(path).read_punches()
    errors = caught.value.errors
    assert [(e.source, e.line) for e in errors] == [(str(path), n) for n in (2, 3, 4, 5)]
    assert "TAB-separated" in errors[0].reason
    assert "'2025-02-30 08:00:00' is not a valid" in errors[1].reason
    assert "empty user id" in errors[2].reason
    assert "state 'X' is not a number" in errors[3].reason
    assert str(errors[0]) == f"{path}:2: {errors[0].reason}"
    assert [p.device_user for p in caught.value.good] == ["1", "4"]  # type: ignore[attr-defined]


def test_non_text_lines_are_bad_records_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(b"1\t2025-03-03 08:00:00\n\xff\xfe\x00\x01\n2\t2025-03-03\x0008:00:00\n")
    read = driver(path).read_file()
    assert [p.device_user for p in read.punches] == ["1"]
    assert [e.line for e in read.errors] == [2, 3]


def test_cursor_returns_only_lines_added_since(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(format_line("1", datetime(2025, 3, 3, 8, 0, tzinfo=SHANGHAI), 0, 1) + "\n")
    d = driver(path)
    first = d.read_punches()
    assert len(first.punches) == 1
    assert first.cursor is not None
    assert d.read_punches(first.cursor).punches == []  # nothing new

    with path.open("a") as f:
        f.write(format_line("2", datetime(2025, 3, 3, 8, 5, tzinfo=SHANGHAI), 0, 1) + "\n")
        f.write("broken\n")
        f.write(format_line("3", datetime(2025, 3, 3, 8, 6, tzinfo=SHANGHAI), 0, 1) + "\n")
    second = d.read_file(first.cursor)
    assert [p.device_user for p in second.punches] == ["2", "3"]
    assert [e.line for e in second.errors] == [3]  # line numbers count from the file's start
    assert d.read_file(second.cursor).punches == []


def test_replaced_or_truncated_file_is_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text(
        format_line("1", datetime(2025, 3, 3, 8, 0, tzinfo=SHANGHAI), 0, 1)
        + "\n"
        + format_line("2", datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI), 0, 1)
        + "\n"
    )
    d = driver(path)
    cursor = d.read_punches().cursor
    path.write_text(
        format_line("9", datetime(2025, 3, 4, 8, 0, tzinfo=SHANGHAI), 0, 1) + "\n"
    )  # shorter
    assert [p.device_user for p in d.read_punches(cursor).punches] == ["9"]
    path.write_text(  # same length, different content
        format_line("8", datetime(2025, 3, 5, 8, 0, tzinfo=SHANGHAI), 0, 1)
        + "\n"
        + format_line("7", datetime(2025, 3, 5, 9, 0, tzinfo=SHANGHAI), 0, 1)
        + "\n"
    )
    assert [p.device_user for p in d.read_punches(cursor).punches] == ["8", "7"]


def test_foreign_cursor_and_missing_file_are_driver_errors(tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_text("")
    with pytest.raises(DriverConfigError, match="not made by the file-import driver"):
        driver(path).read_punches("zk:123")
    with pytest.raises(DriverConfigError, match="damaged"):
        driver(path).read_punches("f1:x:1:abc")
    with pytest.raises(DeviceUnreachable, match="file not found"):
        driver(tmp_path / "nope.dat").read_punches()
    with pytest.raises(DriverConfigError, match="is a folder"):
        driver(tmp_path).read_punches()


CSV = (
    "AC-No.,Name,Date,Time,State,Verify Type\n"
    "0042,Han Meimei,03/03/2025,08:59,C/In,FP\n"
    '0043,"Li, Lei",03/03/2025,18:01,C/Out,Face\n'
    "0044,Wei,03/03/2025,12:00,,\n"
    "0045,Bad,31/31/2025,12:00,C/In,FP\n"
    "0046,Who,03/03/2025,12:30,Lunch,FP\n"
    "0047,Short\n"
)

CSV_MAPPING = {
    "user": "AC-No.",
    "date": "date",  # header names match case-insensitively
    "timestamp": "Time",
    "state": "State",
    "verify": "Verify Type",
    "timestamp_format": "%m/%d/%Y %H:%M",
}


def test_csv_with_a_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    read = driver(path, format="csv", csv=CSV_MAPPING).read_file()
    got = [(p.device_user, p.local, p.state, p.verify_mode) for p in read.punches]
    assert got == [
        (
            "0042",
            datetime(2025, 3, 3, 8, 59, tzinfo=SHANGHAI),
            PunchState.IN,
            VerifyMode.FINGERPRINT,
        ),
        ("0043", datetime(2025, 3, 3, 18, 1, tzinfo=SHANGHAI), PunchState.OUT, VerifyMode.FACE),
        (
            "0044",
            datetime(2025, 3, 3, 12, 0, tzinfo=SHANGHAI),
            PunchState.UNDEFINED,
            VerifyMode.UNKNOWN,
        ),
    ]
    assert read.punches[0].source == "file:csv"
    assert [(e.line, e.reason) for e in read.errors] == [
        (5, "time '31/31/2025 12:00' does not match the format '%m/%d/%Y %H:%M'"),
        (6, "state 'Lunch' is unknown; map it under csv.states"),
        (7, "has 2 columns, the timestamp column is number 4"),
    ]


def test_csv_by_column_index_with_custom_states(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("7;2025-03-03T08:00:00+08:00;A\n7;2025-03-03T01:30:00+00:00;B\n")
    mapping = {
        "user": 0,
        "timestamp": 1,
        "state": 2,
        "has_header": False,
        "delimiter": ";",
        "timestamp_format": "%Y-%m-%dT%H:%M:%S%z",
        "states": {"a": "in", "b": "out"},
    }
    punches = driver(path, format="csv", csv=mapping).read_punches().punches
    assert [(p.local, p.state) for p in punches] == [
        (datetime(2025, 3, 3, 8, 0, tzinfo=SHANGHAI), PunchState.IN),
        (datetime(2025, 3, 3, 9, 30, tzinfo=SHANGHAI), PunchState.OUT),  # converted to device zone
    ]


def test_same_punch_from_attlog_and_csv_has_the_same_id(tmp_path: Path) -> None:
    dat = tmp_path / "attlog.dat"
    dat.write_text(format_line("42", datetime(2025, 3, 3, 8, 59, tzinfo=SHANGHAI), 0, 1) + "\n")
    csv = tmp_path / "export.csv"
    csv.write_text("AC-No.,Date,Time\n42,03/03/2025,08:59\n")
    mapping = {"user": "AC-No.", "date": "Date", "timestamp": "Time"}
    mapping["timestamp_format"] = "%m/%d/%Y %H:%M"
    a = driver(dat).read_punches().punches
    b = driver(csv, format="csv", csv=mapping).read_punches().punches
    assert [p.id for p in a] == [p.id for p in b]


def test_csv_header_mismatch_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Employee ID,Punch Time\n1,2025-03-03 08:00:00\n")
    with pytest.raises(
        DriverConfigError, match=r"no column 'AC-No\.'.*'Employee ID', 'Punch Time'"
    ):
        driver(path, format="csv", csv={"user": "AC-No.", "timestamp": "Punch Time"}).read_file()
    with pytest.raises(DriverConfigError, match="has_header is false"):
        driver(
            path, format="csv", csv={"user": "x", "timestamp": 1, "has_header": False}
        ).read_file()


@pytest.mark.parametrize(
    ("settings", "key", "message"),
    [
        ({"format": "csv"}, (), "needs a 'csv' column mapping"),
        ({"timezone": "Mars/Base"}, ("timezone",), "IANA timezone"),
        ({"format": "xlsx"}, (), "xlsx needs a 'csv' column mapping"),
        ({"format": "ods"}, ("format",), "'attlog', 'csv' or 'xlsx'"),
        ({"encoding": "klingon"}, ("encoding",), "unknown text encoding"),
        ({"csv": {"user": "a"}}, ("csv", "timestamp"), "Field required"),
        ({"port": 4370}, ("port",), "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_rejected_by_the_schema(
    tmp_path: Path, settings: dict[str, object], key: tuple[str, ...], message: str
) -> None:
    base: dict[str, object] = {"path": str(tmp_path / "a.dat"), "serial": "SN1"}
    base["timezone"] = "Asia/Shanghai"
    with pytest.raises(ValidationError) as caught:
        FileImportConfig.model_validate(base | settings)
    [error] = caught.value.errors()
    assert error["loc"] == key
    assert message in error["msg"]
