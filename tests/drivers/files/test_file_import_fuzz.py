"""Property tests: any bytes give punches or BadRecords, never another exception; a written
attlog line reads back as the same punch."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import BadRecords, DriverError
from drivers.files.attlog import format_line
from drivers.files.driver import FileImportDriver
from drivers.zkteco.codes import map_state, map_verify

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

line_tokens = st.sampled_from(
    [
        "\t",
        " ",
        "1",
        "42",
        "2025-03-03",
        "08:59:01",
        "2025-02-30",
        "24:00:00",
        "-",
        "\r",
        ",",
        "\x00",
        "é",
        "9" * 70,
        "0",
        "15",
        "255",
        '"',
        ";",
        "C/In",
        "FP",
    ]
)
lines = st.lists(line_tokens, max_size=12).map("".join)
text_files = st.lists(lines, max_size=20).map(lambda ls: "\n".join(ls).encode("utf-8"))


def read(data: bytes, **settings_: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.dat"
        path.write_bytes(data)
        config: dict[str, object] = {"path": str(path), "serial": "SN", "timezone": "UTC"}
        config.update(settings_)
        drv = FileImportDriver.from_settings(config)
        result = drv.read_file()
        total = len(result.punches) + len(result.errors)
        assert total <= result.lines_read
        assert all(1 <= e.line <= result.lines_read for e in result.errors)
        try:
            again = drv.read_punches(result.cursor)
            assert again.punches == []
            drv.read_punches()
        except BadRecords as exc:
            assert exc.errors


@FUZZ
@given(st.binary(max_size=600) | text_files)
def test_random_attlog_input_only_raises_driver_errors(data: bytes) -> None:
    try:
        read(data)
    except DriverError:
        pass


@FUZZ
@given(st.binary(max_size=600) | text_files)
def test_random_csv_input_only_raises_driver_errors(data: bytes) -> None:
    mapping = {"user": 0, "timestamp": 1, "state": 2, "verify": 3, "has_header": False}
    try:
        read(data, format="csv", csv=mapping)
    except DriverError:
        pass


@FUZZ
@given(
    user=st.from_regex(r"[0-9A-Za-z]{1,9}", fullmatch=True),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),  # noqa: DTZ001
    state=st.integers(0, 255),
    verify=st.integers(0, 30),
)
def test_formatted_attlog_line_reads_back(
    user: str, when: datetime, state: int, verify: int
) -> None:
    when = when.replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attlog.dat"
        path.write_text(format_line(user, when, state, verify) + "\n")
        drv = FileImportDriver.from_settings(
            {"path": str(path), "serial": "SN", "timezone": "Asia/Shanghai"}
        )
        [punch] = drv.read_punches().punches
    assert punch.device_user == user
    assert punch.local.replace(tzinfo=None) == when
    assert punch.state == map_state(state)
    assert punch.verify_mode == map_verify(verify)
