"""Register map and record decoding."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import RejectKind
from drivers.errors import DriverError
from drivers.modbus.codec import (
    BadRegisters,
    FieldSpec,
    RegisterMap,
    TimeEncoding,
    TimeSpec,
    WordType,
    decode_record,
    encode_record,
)

ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT = RegisterMap()


def test_default_map_record_from_hand_written_words() -> None:
    # seq 7, 2026-03-02 00:00:00 UTC = 1772409600 = 0x69A4D300, user 1007, state 1, verify 2
    words = [0x0000, 0x0007, 0x69A4, 0xD300, 0x0000, 1007, 1, 2]
    rec = decode_record(words, DEFAULT, ZONE)
    assert rec is not None
    assert (rec.seq, rec.user, rec.state, rec.verify) == (7, "1007", 1, 2)
    assert rec.local == datetime(2026, 3, 2, 8, 0, tzinfo=ZONE)


def test_an_all_ffff_record_is_no_record() -> None:
    assert decode_record([0xFFFF] * 8, DEFAULT, ZONE) is None


def test_impossible_ymdhms_time_is_bad_time() -> None:
    rmap = RegisterMap(
        record_words=10,
        seq=FieldSpec(offset=0, type=WordType.U32),
        time=TimeSpec(offset=2, encoding=TimeEncoding.YMDHMS),
        user=FieldSpec(offset=8),
        state=FieldSpec(offset=9),
        verify=None,
    )
    with pytest.raises(BadRegisters) as err:
        decode_record([0, 1, 2026, 2, 30, 8, 0, 0, 12, 0], rmap, ZONE)
    assert err.value.kind is RejectKind.BAD_TIME


def test_ascii_user_and_little_word_order_round_trip() -> None:
    rmap = RegisterMap(
        record_words=10,
        seq=FieldSpec(offset=0, type=WordType.U32),
        time=TimeSpec(offset=2, encoding=TimeEncoding.UNIX_LOCAL),
        user=FieldSpec(offset=4, type=WordType.ASCII, words=4),
        state=FieldSpec(offset=8),
        verify=FieldSpec(offset=9),
        word_order="little",
    )
    at = datetime(2026, 3, 2, 8, 30, tzinfo=ZONE)
    words = encode_record(rmap, seq=70000, user=123456, at=at, state=3, verify=1)
    rec = decode_record(words, rmap, ZONE)
    assert rec is not None and (rec.seq, rec.user, rec.local, rec.state) == (70000, "123456", at, 3)


def test_a_field_outside_the_record_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        RegisterMap(record_words=6)


def test_a_register_ack_needs_a_seq() -> None:
    with pytest.raises(ValueError, match="seq"):
        RegisterMap(seq=None)


@given(words=st.lists(st.integers(0, 0xFFFF), min_size=8, max_size=8))
def test_random_words_give_a_record_none_or_a_driver_error(words: list[int]) -> None:
    try:
        decode_record(words, DEFAULT, ZONE)
    except DriverError:
        pass


@given(words=st.lists(st.integers(-5, 0x1FFFF), max_size=12))
def test_wrong_lengths_and_values_are_driver_errors(words: list[int]) -> None:
    try:
        decode_record(words, DEFAULT, ZONE)
    except DriverError:
        pass


@given(
    seq=st.integers(0, 0xFFFFFFFE),
    user=st.integers(1, 999_999_999),
    at=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)),  # noqa: DTZ001
    state=st.integers(0, 5),
)
def test_records_round_trip(seq: int, user: int, at: datetime, state: int) -> None:
    local = at.replace(microsecond=0, tzinfo=ZONE)
    words = encode_record(DEFAULT, seq=seq, user=user, at=local, state=state, verify=1)
    rec = decode_record(words, DEFAULT, ZONE)
    assert rec is not None and (rec.seq, rec.user, rec.state) == (seq, str(user), state)
    assert rec.local.timestamp() == local.timestamp()
