"""Codec: golden bytes from the protocol notes, round trips and random input."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DriverError, ProtocolViolation
from drivers.zkteco.codec import (
    ChecksumForm,
    Cmd,
    FreeSizes,
    TcpDeframer,
    build_packet,
    check_commkey,
    checksum,
    checksum_form,
    encode_data_stat,
    encode_free_sizes,
    encode_prepare_buffer,
    encode_read_chunk,
    frame_tcp,
    make_commkey,
    next_reply_id,
    parse_data_stat,
    parse_free_sizes,
    parse_option_reply,
    parse_option_write,
    parse_packet,
    parse_prepare_buffer,
    parse_prepare_data,
    parse_read_chunk,
    split_dataset,
)
from drivers.zkteco.timecodec import (
    decode_hex6_time,
    decode_packed_time,
    encode_hex6_time,
    encode_packed_time,
)

# -- golden bytes (research/devices.md section 1) ------------------------------------------


def test_checksum_matches_the_device_vectors() -> None:
    assert checksum(bytes.fromhex("0b000000f38d0300") + b"ZKFaceVersion\x00") == 0x175A
    assert checksum(bytes.fromhex("d0070000f38d0a0009")) == 0x6A29
    assert checksum(bytes.fromhex("e803000000000000")) == 0xFC17


def test_connect_packet_and_tcp_frame_byte_for_byte() -> None:
    payload = build_packet(Cmd.CONNECT, 0, 0)
    assert payload == bytes.fromhex("e803 17fc 0000 0000")
    assert frame_tcp(payload) == bytes.fromhex("5050 827d 0800 0000 e803 17fc 0000 0000")


def test_options_request_byte_for_byte() -> None:
    packet = build_packet(Cmd.OPTIONS_RRQ, 0x8DF3, 3, b"ZKFaceVersion\x00")
    assert packet == bytes.fromhex("0b00 5a17 f38d 0300") + b"ZKFaceVersion\x00"


def test_commkey_vectors() -> None:
    assert make_commkey(0, 0) == bytes.fromhex("617d3279")
    assert make_commkey(123456, 0x1234) == bytes.fromhex("267f32eb")
    assert make_commkey(1, 1) == bytes.fromhex("61fd3279")


def test_prepare_buffer_and_read_chunk_requests() -> None:
    assert encode_prepare_buffer(Cmd.ATTLOG_RRQ) == bytes.fromhex("01 0d00 00000000 00000000")
    assert encode_prepare_buffer(Cmd.USERTEMP_RRQ, 5) == bytes.fromhex("01 0900 05000000 00000000")
    assert encode_read_chunk(0xFFC0, 0x10) == bytes.fromhex("c0ff0000 10000000")


def test_packed_time_vectors() -> None:
    assert encode_packed_time(datetime(2024, 3, 15, 8, 30)) == bytes.fromhex("88f95e2e")  # noqa: DTZ001
    assert decode_packed_time(bytes.fromhex("6bb36823")) == datetime(2018, 6, 25, 17, 50, 35)  # noqa: DTZ001


def test_free_sizes_offsets() -> None:
    raw = encode_free_sizes(FreeSizes(users=7, records=1234, users_cap=3000, records_cap=100000))
    assert len(raw) == 92
    assert raw[16:20] == (7).to_bytes(4, "little")
    assert raw[32:36] == (1234).to_bytes(4, "little")
    assert raw[60:64] == (3000).to_bytes(4, "little")
    assert raw[64:68] == (100000).to_bytes(4, "little")
    back = parse_free_sizes(raw)
    assert (back.users, back.records, back.users_cap, back.records_cap) == (7, 1234, 3000, 100000)


def test_reply_id_wraps_so_connect_goes_out_with_zero() -> None:
    assert next_reply_id(65534) == 0
    assert next_reply_id(0) == 1


def test_a_checksum_of_neither_form_is_a_protocol_violation() -> None:
    good = build_packet(Cmd.ACK_OK, 5, 9, b"abc")
    bad = good[:3] + bytes((good[3] ^ 1,)) + good[4:]  # 256 off: neither form
    assert checksum_form(bad) is None
    with pytest.raises(ProtocolViolation, match="checksum"):
        parse_packet(bad)
    assert parse_packet(bad, verify=False).data == b"abc"


def test_both_checksum_forms_are_read_and_told_apart() -> None:
    ones = build_packet(Cmd.ACK_OK, 5, 9, b"abc")
    pyzk = build_packet(Cmd.ACK_OK, 5, 9, b"abc", ChecksumForm.PYZK)
    assert int.from_bytes(pyzk[2:4], "little") == int.from_bytes(ones[2:4], "little") - 1
    assert (parse_packet(ones).form, parse_packet(pyzk).form) == (
        ChecksumForm.ONES,
        ChecksumForm.PYZK,
    )
    with pytest.raises(ProtocolViolation, match="ones form"):
        parse_packet(pyzk, forms=frozenset({ChecksumForm.ONES}))


def test_pyzk_form_where_the_ones_complement_is_zero() -> None:
    """A sum of 0xFFFF: ones' complement 0, pyzk's routine gives 0xFFFE (never -1)."""
    payload = b"\xff\xff"
    assert checksum(payload) == 0
    assert checksum(payload, ChecksumForm.PYZK) == 0xFFFE


def _pyzk_checksum(payload: bytes) -> int:
    """pyzk's own routine (the independent reference), on the bytes as they are."""
    from zk.base import ZK

    routine = ZK._ZK__create_checksum  # name-mangled private method
    return int.from_bytes(routine(None, list(payload)), "little")


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=8, max_size=64))
def test_pyzk_form_is_what_pyzk_computes(payload: bytes) -> None:
    assert checksum(payload, ChecksumForm.PYZK) == _pyzk_checksum(payload)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFE), st.binary(max_size=16)
)
def test_pyzk_requests_carry_the_ones_complement(cmd: int, sid: int, rid: int, data: bytes) -> None:
    """pyzk checksums the header before it increments the reply id: on the wire the result
    is the ones' complement of what it sends, so a device checking that accepts pyzk."""
    from zk.base import ZK

    request = ZK("127.0.0.1")._ZK__create_header(cmd, data, sid, rid)
    assert checksum_form(request) is ChecksumForm.ONES


def test_dataset_length_must_fit() -> None:
    assert split_dataset(b"\x02\x00\x00\x00ab") == b"ab"
    with pytest.raises(ProtocolViolation, match="announces 9"):
        split_dataset(b"\x09\x00\x00\x00ab")


# -- round trips ---------------------------------------------------------------------------

walls = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59))  # noqa: DTZ001
u16 = st.integers(0, 0xFFFF)


@given(walls)
def test_packed_time_round_trip(t: datetime) -> None:
    t = t.replace(microsecond=0)
    assert decode_packed_time(encode_packed_time(t)) == t


@given(walls)
def test_hex6_time_round_trip(t: datetime) -> None:
    t = t.replace(microsecond=0)
    assert decode_hex6_time(encode_hex6_time(t)) == t


@given(u16, u16, u16, st.binary(max_size=300))
def test_packet_round_trip(cmd: int, sid: int, rid: int, data: bytes) -> None:
    p = parse_packet(build_packet(cmd, sid, rid, data))
    assert (p.command, p.session_id, p.reply_id, p.data) == (cmd, sid, rid, data)


@given(st.lists(st.binary(max_size=200), max_size=6), st.lists(st.integers(1, 50), max_size=30))
def test_deframer_round_trip_any_split(datas: list[bytes], cuts: list[int]) -> None:
    payloads = [build_packet(Cmd.DATA, 1, i, d) for i, d in enumerate(datas)]
    stream = b"".join(frame_tcp(p) for p in payloads)
    d = TcpDeframer()
    out: list[bytes] = []
    pos = 0
    for c in cuts:
        out += d.feed(stream[pos : pos + c])
        pos += c
    out += d.feed(stream[pos:])
    assert out == payloads


@given(st.integers(0, 0xFFFFFFFF), u16, st.integers(0, 255))
def test_commkey_is_checkable_with_any_ticks(key: int, sid: int, ticks: int) -> None:
    proof = make_commkey(key, sid, ticks)
    assert check_commkey(proof, key, sid)
    assert not check_commkey(proof, key ^ 1, sid)


@given(st.integers(0, 0x7FFFFFFF))
def test_data_stat_round_trip(size: int) -> None:
    assert parse_data_stat(encode_data_stat(size)) == size


# -- random bytes: only typed errors, never a hang -------------------------------------------

PARSERS = [
    parse_packet,
    lambda b: TcpDeframer().feed(b),
    decode_packed_time,
    decode_hex6_time,
    parse_free_sizes,
    parse_data_stat,
    parse_prepare_data,
    parse_read_chunk,
    parse_prepare_buffer,
    parse_option_reply,
    parse_option_write,
    split_dataset,
]


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_bytes_raise_only_driver_errors(parser, data: bytes) -> None:  # type: ignore[no-untyped-def]
    try:
        parser(data)
    except Exception as exc:  # noqa: BLE001 - the property under test
        assert isinstance(exc, DriverError), f"{type(exc).__name__}: {exc}"


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=4, max_size=4), st.binary(min_size=6, max_size=6))
def test_random_times_raise_only_protocol_violation(packed: bytes, hex6: bytes) -> None:
    for parser, data in ((decode_packed_time, packed), (decode_hex6_time, hex6)):
        try:
            value = parser(data)
        except ProtocolViolation:
            continue
        assert 2000 <= value.year
