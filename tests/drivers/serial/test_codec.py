"""The serial codec: checksums, framing, line decoding, against hand-written device bytes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import RejectKind
from drivers.errors import DriverError
from drivers.serial.codec import (
    BadFrame,
    Checksum,
    Frame,
    FrameReader,
    Framing,
    Junk,
    LineCodec,
    check_pattern,
    check_time_format,
    checksum,
)
from drivers.serial.presets import PRESETS, PresetName

SHANGHAI = ZoneInfo("Asia/Shanghai")


def codec_of(name: PresetName) -> LineCodec:
    p = PRESETS[name]
    return LineCodec(
        framing=Framing(p.start, p.end, p.checksum, p.separator),
        pattern=check_pattern(p.pattern),
        time_format=p.time_format,
        zone=SHANGHAI,
        ack=p.ack,
        ack_framed=p.ack_framed,
    )


def test_checksums_match_known_vectors() -> None:
    # NMEA 0183's own example sentence: $GPGLL,5300.97914,N,00259.98174,E,125926,A*28
    assert checksum(Checksum.XOR, b"GPGLL,5300.97914,N,00259.98174,E,125926,A") == 0x28
    # Modbus ASCII LRC of "01 03 00 00 00 01" (read one holding register) is 0xFB
    assert checksum(Checksum.LRC, bytes([0x01, 0x03, 0x00, 0x00, 0x00, 0x01])) == 0xFB
    assert checksum(Checksum.SUM, b"\xff\x02") == 0x01


def test_shiftgate_line_decodes_and_acks() -> None:
    c = codec_of(PresetName.SHIFTGATE)
    wire = b"$EV,1,42,2026-03-02T08:59:01,1007,0,1*"
    body = wire[1:-1]
    wire += f"{checksum(Checksum.XOR, body):02X}".encode() + b"\r\n"
    frames = FrameReader(c.framing).feed(wire)
    assert len(frames) == 1 and isinstance(frames[0], Frame)
    rec = c.decode(frames[0])
    assert (rec.user, rec.seq, rec.device, rec.state, rec.verify) == ("1007", "42", "1", "0", "1")
    assert rec.local == datetime(2026, 3, 2, 8, 59, 1, tzinfo=SHANGHAI)
    ack = c.encode_ack(rec.fields())
    assert ack == b"$ACK,42*" + f"{checksum(Checksum.XOR, b'ACK,42'):02X}".encode() + b"\r\n"


def test_wrong_checksum_is_a_checksum_reject() -> None:
    c = codec_of(PresetName.SHIFTGATE)
    with pytest.raises(BadFrame) as err:
        c.decode(Frame(b"EV,1,42,2026-03-02T08:59:01,1007,0,1*00"))
    assert err.value.kind is RejectKind.CHECKSUM


def test_stx_lrc_frame_and_raw_ack() -> None:
    c = codec_of(PresetName.STX_LRC)
    body = b"7;A12;20260302085901;1"
    wire = b"\x02" + body + f"{checksum(Checksum.LRC, body):02X}".encode() + b"\x03"
    (frame,) = FrameReader(c.framing).feed(b"\x00\xffnoise" + wire)[1:]
    assert isinstance(frame, Frame)
    rec = c.decode(frame)
    assert (rec.user, rec.seq, rec.state) == ("A12", "7", "1")
    assert c.encode_ack(rec.fields()) == b"\x06"


def test_tab_preset_reads_attlog_lines_with_cr_and_padding() -> None:
    c = codec_of(PresetName.TAB)
    frames = FrameReader(c.framing).feed(b"        1\t2026-10-03 08:59:01\t0\t1\t\t0\t0\t\r\n\n")
    assert len(frames) == 1  # the blank line is not a frame
    rec = c.decode(frames[0])  # type: ignore[arg-type]
    assert (rec.user, rec.state, rec.verify) == ("1", "0", "1")
    assert rec.local.hour == 8


def test_reader_keeps_partial_lines_and_drops_cut_off_ones() -> None:
    reader = FrameReader(Framing(start=b"$", end=b"\r\n"))
    assert reader.feed(b"xx$EV,1,2") == [Junk(b"xx", "bytes outside a frame")]
    assert reader.pending == b"$EV,1,2"
    out = reader.feed(b"$EV,1,3\r\n")  # a new start: the first line was cut off
    assert out == [Junk(b"$EV,1,2", "frame cut off by a new start"), Frame(b"EV,1,3")]
    assert reader.feed(b"$EV,") == [] and reader.feed(b"1,4\r") == []
    assert reader.feed(b"\n") == [Frame(b"EV,1,4")]


def test_reader_bounds_a_frame_that_never_ends() -> None:
    reader = FrameReader(Framing(end=b"\n", max_frame=16))
    out = reader.feed(b"a" * 40)
    assert len(out) == 1 and isinstance(out[0], Junk) and reader.pending == b""


def test_impossible_time_is_bad_time() -> None:
    c = codec_of(PresetName.CSV)
    with pytest.raises(BadFrame) as err:
        c.decode(Frame(b"12,2026-02-30 08:00:00,0"))
    assert err.value.kind is RejectKind.BAD_TIME


def test_unix_time_format() -> None:
    c = LineCodec(
        framing=Framing(end=b"\n"),
        pattern=check_pattern(r"(?P<user>\d+) (?P<time>\d+)"),
        time_format="unix",
        zone=SHANGHAI,
    )
    rec = c.decode(Frame(b"5 1772413141"))
    assert rec.local.utcoffset() is not None and rec.local.timestamp() == 1772413141


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"(?P<user>\d+)", "time"),
        (r"(?P<user>\d+) (?P<time>\S+) (?P<colour>\w)", "colour"),
        (r"(?P<user>[", "not a regular expression"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_pattern(pattern)


def test_time_format_without_a_date_is_refused() -> None:
    with pytest.raises(ValueError, match="date"):
        check_time_format("%H:%M")


@pytest.mark.parametrize("name", list(PresetName))
@given(data=st.binary(max_size=300))
def test_random_bytes_give_only_driver_errors(name: PresetName, data: bytes) -> None:
    c = codec_of(name)
    for item in FrameReader(c.framing).feed(data):
        if isinstance(item, Frame):
            try:
                c.decode(item)
            except DriverError:
                pass


@pytest.mark.parametrize("name", list(PresetName))
@given(
    user=st.text(alphabet="0123456789ABCDEFGHJK", min_size=1, max_size=9),
    seq=st.integers(1, 10**9),
    at=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)),  # noqa: DTZ001
    state=st.sampled_from("012345"),
    junk=st.binary(max_size=20).filter(lambda b: b"\x02" not in b and b"$" not in b),
)
def test_lines_round_trip_through_the_reader(
    name: PresetName, user: str, seq: int, at: datetime, state: str, junk: bytes
) -> None:
    p = PRESETS[name]
    c = codec_of(name)
    fields = {
        "user": user,
        "seq": str(seq),
        "time": at.strftime(p.time_format),
        "state": state,
        "verify": "1",
        "device": "1",
    }
    wire = c.encode_line(fields, p.line_template)
    lead = junk if p.start else b""  # without a start marker junk would join the line
    frames = [f for f in FrameReader(c.framing).feed(lead + wire) if isinstance(f, Frame)]
    assert len(frames) == 1
    rec = c.decode(frames[0])
    assert rec.user == user and rec.state == state
    assert rec.local.replace(tzinfo=None) == at.replace(microsecond=0)
