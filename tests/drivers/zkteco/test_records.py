"""Record layouts: golden bytes from the notes, round trips, random input."""

from __future__ import annotations

import struct
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DriverError, ProtocolViolation
from drivers.localtime import attach_zone
from drivers.punch import Punch, punch_id
from drivers.zkteco.bulk import punches_from_log
from drivers.zkteco.codes import map_state, map_verify
from drivers.zkteco.records import (
    AttendanceRecord,
    UserRecord,
    decode_attendance,
    decode_event,
    decode_user,
    encode_attendance,
    encode_event,
    encode_user,
    infer_record_size,
    iter_records,
    record_size,
)

WHEN = datetime(2018, 6, 25, 17, 50, 35)  # noqa: DTZ001 - device wall time
BERLIN = ZoneInfo("Europe/Berlin")


def test_40_byte_attendance_golden() -> None:
    raw = (
        bytes.fromhex("0d00")
        + b"999111333".ljust(24, b"\x00")
        + bytes.fromhex("01 6bb36823 00 00000000 ff000000")
    )
    assert len(raw) == 40
    rec = decode_attendance(raw)
    assert (rec.uid, rec.user_id, rec.verify, rec.time, rec.state) == (13, "999111333", 1, WHEN, 0)
    assert encode_attendance(rec, 40) == raw


def test_16_byte_attendance_golden() -> None:
    raw = bytes.fromhex("15cd5b07 6bb36823 0f 01 0000 07000000")
    rec = decode_attendance(raw)
    assert (rec.user_id, rec.time, rec.verify, rec.state, rec.workcode) == (
        "123456789",
        WHEN,
        15,
        1,
        7,
    )
    assert encode_attendance(rec, 16) == raw


def test_8_byte_attendance_maps_the_slot_to_the_user_id() -> None:
    raw = bytes.fromhex("0500 02 6bb36823 03")
    assert decode_attendance(raw, {5: "A-17"}).user_id == "A-17"
    rec = decode_attendance(raw)
    assert (rec.user_id, rec.uid, rec.verify, rec.time, rec.state) == ("5", 5, 2, WHEN, 3)


def test_72_byte_user_golden() -> None:
    raw = bytearray(72)
    struct.pack_into("<HB", raw, 0, 300, 14)
    raw[3:7] = b"4321"
    raw[11:20] = b"Ana Lopez"
    struct.pack_into("<I", raw, 35, 99887766)
    raw[40:41] = b"2"
    raw[48:54] = b"E-1001"
    user = decode_user(bytes(raw))
    assert user == UserRecord(300, "E-1001", "Ana Lopez", 14, "4321", 99887766, "2")
    assert encode_user(user, 72) == bytes(raw)


def test_28_byte_user_golden() -> None:
    raw = bytearray(28)
    struct.pack_into("<HB", raw, 0, 9, 0)
    raw[3:5] = b"12"
    raw[8:13] = b"Jo Li"
    struct.pack_into("<I", raw, 16, 4242)
    raw[21] = 1
    struct.pack_into("<I", raw, 24, 777)
    user = decode_user(bytes(raw))
    assert user == UserRecord(9, "777", "Jo Li", 0, "12", 4242, "1")
    assert encode_user(user, 28) == bytes(raw)


def test_realtime_event_golden_40_bytes() -> None:
    data = b"999111333".ljust(24, b"\x00") + bytes.fromhex("0100 120619112905") + bytes(8)
    ev = decode_event(data)
    assert (ev.user_id, ev.verify, ev.state) == ("999111333", 1, 0)
    assert ev.time == datetime(2018, 6, 25, 17, 41, 5)  # noqa: DTZ001


def test_record_size_from_count() -> None:
    assert record_size(400, 10, (8, 16, 40), "log") == 40
    with pytest.raises(ProtocolViolation, match="not a known layout"):
        record_size(410, 10, (8, 16, 40), "log")
    with pytest.raises(ProtocolViolation, match="record count 0"):
        record_size(400, 0, (8, 16, 40), "log")


def test_16_byte_layout_refuses_text_ids() -> None:
    with pytest.raises(ValueError, match="numeric"):
        encode_attendance(AttendanceRecord("A1", WHEN), 16)


walls = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(  # noqa: DTZ001
    lambda t: t.replace(microsecond=0)
)
digits = st.integers(0, 999_999_999).map(str)


@given(
    digits,
    walls,
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(1, 0xFFFF),
    st.sampled_from([8, 16, 40]),
)
def test_attendance_round_trip(
    user: str, t: datetime, verify: int, state: int, uid: int, size: int
) -> None:
    rec = AttendanceRecord(user, t, verify, state, uid)
    back = decode_attendance(encode_attendance(rec, size), {uid: user})
    assert (back.user_id, back.time, back.verify, back.state) == (user, t, verify, state)


text = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=5)


@given(
    st.integers(1, 0xFFFF),
    digits,
    text,
    st.integers(0, 15),
    text,
    st.integers(0, 0xFFFFFFFF),
    st.sampled_from([28, 72]),
)
def test_user_round_trip(
    uid: int, user_id: str, name: str, priv: int, pw: str, card: int, size: int
) -> None:
    group = "1"
    user = UserRecord(uid, user_id, name, priv, pw, card, group)
    assert decode_user(encode_user(user, size)) == user


@given(
    digits, walls, st.integers(0, 255), st.integers(0, 255), st.sampled_from([12, 32, 36, 40, 52])
)
def test_event_round_trip(user: str, t: datetime, verify: int, state: int, size: int) -> None:
    ev = decode_event(encode_event(user, t, verify, state, size))
    assert (ev.user_id, ev.time, ev.verify, ev.state) == (user, t, verify, state)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_raise_only_driver_errors(data: bytes) -> None:
    for parser in (decode_attendance, decode_user, decode_event):
        try:
            parser(data)
        except Exception as exc:  # noqa: BLE001 - the property under test
            assert isinstance(exc, DriverError), f"{parser.__name__}: {type(exc).__name__}: {exc}"


@given(st.binary(max_size=200), st.sampled_from([8, 16, 40]))
def test_iter_records_yields_whole_records(data: bytes, size: int) -> None:
    recs = list(iter_records(data, size))
    assert len(recs) == len(data) // size
    assert b"".join(recs) == data[: len(recs) * size]


def reference_punches(data: bytes, size: int, names: dict[int, str]) -> list[Punch]:
    """The slow, plain way: decode each record, then build each punch with ``Punch()``."""
    out = []
    for raw in iter_records(data, size):
        r = decode_attendance(raw, names)
        out.append(
            Punch(
                device_sn="SN9",
                device_user=r.user_id,
                local=attach_zone(r.time, BERLIN),
                state=map_state(r.state),
                verify_mode=map_verify(r.verify),
                source="zkteco",
                raw=raw.hex(),
                clock_offset_s=1.5,
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([8, 16, 40]))
def test_bulk_punches_equal_per_record_decode(data: bytes, size: int) -> None:
    names = {1: "one", 258: "x"}

    def bulk() -> list[Punch]:
        return punches_from_log(
            data,
            size,
            device_sn="SN9",
            zone=BERLIN,
            source="zkteco",
            clock_offset_s=1.5,
            uid_to_user=names,
        )

    try:
        single = reference_punches(data, size, names)
    except ProtocolViolation:
        with pytest.raises(ProtocolViolation):
            bulk()
        return
    got = bulk()
    assert got == single
    assert [p.id for p in got] == [p.id for p in single]


@given(
    digits,
    walls,
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(1, 0xFFFF),
    st.sampled_from([8, 16, 40]),
)
def test_bulk_punches_of_valid_records(
    user: str, t: datetime, verify: int, state: int, uid: int, size: int
) -> None:
    raw = encode_attendance(AttendanceRecord(user, t, verify, state, uid), size) * 2
    names = {uid: user}
    got = punches_from_log(
        raw,
        size,
        device_sn="SN9",
        zone=BERLIN,
        source="zkteco",
        clock_offset_s=1.5,
        uid_to_user=names,
    )
    assert got == reference_punches(raw, size, names)
    assert got[0].id == punch_id("SN9", user, attach_zone(t, BERLIN))


def test_a_count_a_little_off_still_gives_the_layout() -> None:
    assert infer_record_size(40 * 101, 100, (8, 16, 40), "log") == 40  # one punch more
    assert infer_record_size(40 * 99, 100, (8, 16, 40), "log") == 40
    assert infer_record_size(16 * 1000, 1000, (8, 16, 40), "log") == 16
    with pytest.raises(ProtocolViolation, match="not a known layout"):
        infer_record_size(40 * 150, 100, (8, 16, 40), "log")  # too far off to trust
    with pytest.raises(ProtocolViolation, match="not a known layout"):
        infer_record_size(41 * 3, 3, (8, 16, 40), "log")
