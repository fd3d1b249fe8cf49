"""One ZKTeco code table: a punch read over the network and from a USB export is the same."""

from __future__ import annotations

from pathlib import Path

from drivers.files.attlog import format_line
from drivers.files.driver import FileImportDriver
from drivers.punch import Punch, PunchState, VerifyMode
from drivers.zkteco.codes import map_state, map_verify
from drivers.zkteco.simulator import ZKSimulator

from .conftest import make_driver

#: Every verify code terminals are known to write, plus unknown ones.
VERIFY_CODES = (0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 25, 200)
STATE_CODES = (0, 1, 2, 3, 4, 5, 255)


def same_punch(p: Punch) -> tuple[object, ...]:
    """What must agree between two reads of one record (source and raw bytes differ)."""
    return (p.id, p.device_sn, p.device_user, p.local, p.at, p.state, p.verify_mode)


def test_usb_export_and_network_read_give_the_same_punch(tmp_path: Path) -> None:
    with ZKSimulator(users=5, records=0, seed=3, timezone="Asia/Shanghai") as sim:
        for verify in VERIFY_CODES:
            for state in STATE_CODES:
                sim.punch_now(str(1 + verify % 5), state=state, verify=verify)
                sim.move_clock(61)  # one punch per user and minute
        network = make_driver(sim, timezone="Asia/Shanghai").read_punches().punches
        records = sim.attendance()
        serial = sim.serial
    export = tmp_path / f"{serial}_attlog.dat"
    export.write_text(
        "".join(format_line(r.user_id, r.time, r.state, r.verify) + "\r\n" for r in records)
    )
    usb = FileImportDriver.from_settings(
        {"path": str(export), "serial": serial, "timezone": "Asia/Shanghai"}
    ).read_punches()
    assert len(network) == len(usb.punches) == len(VERIFY_CODES) * len(STATE_CODES)
    assert [same_punch(p) for p in usb.punches] == [same_punch(p) for p in network]
    card = [p for p, r in zip(network, records, strict=True) if r.verify == 4]
    assert card and {p.verify_mode for p in card} == {VerifyMode.CARD}


def test_the_code_table() -> None:
    assert [map_verify(c) for c in (0, 1, 2, 4, 15, 25)] == [
        VerifyMode.PASSWORD,
        VerifyMode.FINGERPRINT,
        VerifyMode.CARD,
        VerifyMode.CARD,
        VerifyMode.FACE,
        VerifyMode.PALM,
    ]
    assert (map_verify(7), map_verify(None)) == (VerifyMode.OTHER, VerifyMode.UNKNOWN)
    assert [map_state(c) for c in range(6)] == [
        PunchState.IN,
        PunchState.OUT,
        PunchState.BREAK_OUT,
        PunchState.BREAK_IN,
        PunchState.OVERTIME_IN,
        PunchState.OVERTIME_OUT,
    ]
    assert map_state(255) == map_state(None) == PunchState.UNDEFINED
