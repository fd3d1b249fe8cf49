"""The read cursor: encoding, rejection of foreign cursors, resume after a changed log."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import DriverConfigError
from drivers.zkteco.cursor import LogCursor, find_resume_index


def recs(*ids: int) -> list[bytes]:
    return [i.to_bytes(8, "little") for i in ids]


def test_round_trip_and_opaque_json() -> None:
    c = LogCursor.after(recs(1, 2, 3, 4), 4, 8)
    assert LogCursor.decode(c.encode()) == c
    assert c.delivered == 4 and c.tail == tuple(recs(2, 3, 4))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{}",
        "[]",
        '{"v":2,"n":1,"rs":8,"tail":[]}',
        '{"v":1,"n":-1,"rs":8,"tail":[]}',
        '{"v":1,"n":1,"rs":8,"tail":["zz"]}',
        '{"v":1,"n":1,"rs":8,"tail":["00"]}',
        "not json",
        "[" * 100_000,
    ],
)
def test_foreign_cursor_is_a_config_error(text: str) -> None:
    with pytest.raises(DriverConfigError, match="not a zkteco cursor"):
        LogCursor.decode(text)


def test_resume_unchanged_log() -> None:
    c = LogCursor.after(recs(1, 2, 3), 3, 8)
    assert find_resume_index(recs(1, 2, 3, 4, 5), c) == 3


def test_resume_after_log_wiped_delivers_everything() -> None:
    c = LogCursor.after(recs(1, 2, 3), 3, 8)
    assert find_resume_index(recs(7, 8), c) == 0
    assert find_resume_index(recs(7, 8, 9, 10, 11), c) == 0


def test_resume_after_log_rotated_skips_what_was_delivered() -> None:
    c = LogCursor.after(recs(1, 2, 3, 4, 5), 5, 8)
    assert find_resume_index(recs(4, 5, 6), c) == 2


@given(st.lists(st.integers(0, 10**6), unique=True, min_size=1, max_size=40), st.data())
def test_resume_never_duplicates_nor_loses(ids: list[int], data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(ids)))
    delivered, rest = ids[:cut], ids[cut:]
    c = LogCursor.after(recs(*delivered), len(delivered), 8)
    dropped = data.draw(st.integers(0, len(delivered)))  # oldest records rotated away
    log = recs(*delivered[dropped:], *rest)
    assert log[find_resume_index(log, c) :] == recs(*rest)


@given(st.text(max_size=200) | st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
def test_random_cursor_text_raises_only_driver_errors(text: str) -> None:
    from drivers.errors import DriverError

    try:
        cursor = LogCursor.decode(text)
    except Exception as exc:  # noqa: BLE001 - the property under test
        assert isinstance(exc, DriverError), f"{type(exc).__name__}: {exc}"
    else:
        assert LogCursor.decode(cursor.encode()) == cursor
