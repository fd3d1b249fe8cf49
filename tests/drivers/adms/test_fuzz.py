"""Hypothesis: any text gives records or named bad lines, never another exception; and a
written ATTLOG line reads back as the same punch."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.adms.codec import (
    BadBody,
    decode_body,
    parse_attlog,
    parse_devicecmd,
    parse_operlog,
    parse_rtlog,
    parse_table_users,
    parse_transactions,
)
from drivers.adms.protocol import AdmsRequest, BadRequest, classify
from drivers.punch import punch_id

ZONE = ZoneInfo("Europe/Berlin")
FUZZ = settings(max_examples=200, deadline=None)
tokens = st.sampled_from(
    [
        "\t",
        " ",
        "\r\n",
        "\n",
        "1",
        "42",
        "2025-03-03",
        "08:59:01",
        "2025-02-30",
        "25:00:00",
        "=",
        "&",
        "ID=",
        "Return=",
        "CMD=",
        "OPLOG",
        "USER ",
        "PIN=",
        "FP ",
        "time=",
        "pin=",
        "event=",
        "\x00",
        "é",
        "张",
        "9" * 70,
        "-1",
        "255",
        "T",
    ]
)
texts = st.one_of(st.text(max_size=300), st.lists(tokens, max_size=40).map("".join))


@FUZZ
@given(texts)
def test_parsers_never_raise(text: str) -> None:
    batch = parse_attlog(text, device_sn="SN1", zone=ZONE)
    assert batch.lines <= max(1, text.count("\n") + text.count("\r") + 1)
    rt, other = parse_rtlog(text, device_sn="SN1", zone=ZONE)
    tx, skipped = parse_transactions(text, device_sn="SN1", zone=ZONE)
    assert skipped >= 0 and tx.lines >= 0
    assert all(u.user_id for u in parse_table_users(text))
    assert other >= 0 and rt.lines >= 0
    assert parse_operlog(text, zone=ZONE).lines >= 0
    results, bad = parse_devicecmd(text)
    assert all(isinstance(r.id, int) for r in results) and len(bad) >= 0


@FUZZ
@given(
    st.binary(max_size=300),
    st.sampled_from([None, "text/plain", "a;charset=gbk", "x;charset=nope"]),
)
def test_any_bytes_decode_or_bad_body(raw: bytes, ctype: str | None) -> None:
    try:
        text = decode_body(raw, ctype)
    except BadBody:
        return
    assert isinstance(text, str)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["SN", "sn", "table", "options", "Stamp", "type"]),
        st.text(max_size=20),
        max_size=4,
    ),
    st.sampled_from(["/iclock/cdata", "/iclock/getrequest", "/iclock/devicecmd", "/iclock/x"]),
    st.sampled_from(["GET", "POST", "PUT"]),
    st.binary(max_size=50),
)
def test_classify_raises_only_bad_request(
    q: dict[str, str], path: str, method: str, body: bytes
) -> None:
    try:
        msg = classify(AdmsRequest(method, path, q, None, body))
    except BadBody as exc:  # BadRequest is a BadBody
        assert str(exc)
        return
    assert msg.serial


@FUZZ
@given(
    st.from_regex(r"[0-9A-Za-z]{1,9}", fullmatch=True),
    st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)),  # noqa: DTZ001
    st.integers(0, 5),
    st.sampled_from([0, 1, 2, 15]),
)
def test_attlog_round_trip(pin: str, wall: datetime, status: int, verify: int) -> None:
    wall = wall.replace(microsecond=0)
    line = f"{pin}\t{wall:%Y-%m-%d %H:%M:%S}\t{status}\t{verify}\t\t0\t0\t"
    (p,) = parse_attlog(line, device_sn="SN1", zone=ZONE).punches
    assert p.id == punch_id("SN1", pin, wall.replace(tzinfo=ZONE))
    _ = BadRequest  # the protocol's 4xx type is a BadBody too
