"""ADMS bodies as real firmware sends them: every ATTLOG field count, line ends, separators,
encodings, OPERLOG mixes and devicecmd result batches; and the exact server answers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from drivers.adms.codec import (
    BadBody,
    HandshakeOptions,
    decode_body,
    encode_commands,
    encode_handshake,
    ok,
    parse_attlog,
    parse_devicecmd,
    parse_operlog,
    parse_rtlog,
)
from drivers.punch import PunchState, VerifyMode, punch_id

ZONE = ZoneInfo("Asia/Shanghai")
SN = "CKJX194960123"

#: the line captured from a real clock (research notes §2.7): 10 fields, status 255, face
CAPTURED = "3\t2023-10-16 08:38:16\t255\t15\t0\t0\t0\t255\t0\t0\t"


@pytest.mark.parametrize(
    "line",
    [
        "1\t2024-07-28 01:25:24",  # 2 fields
        "1\t2024-07-28 01:25:24\t0\t1\t",  # 5 with empty workcode
        "1\t2024-07-28 01:25:24\t0\t1\t\t0\t0\t",  # 7 + trailing tab (push demo)
        "1\t2024-07-28 01:25:24\t0\t1\t0\t0\t0\t255\t0\t0\t",  # 10
        "1\t2024-07-28 01:25:24\t0\t1\t0" + "\t0" * 11,  # 16
        "1 2024-07-28 01:25:24 0 1 0 0 0",  # spaces instead of tabs
        "1\t2024-07-28T01:25:24\t0\t1",  # ISO T
    ],
)
def test_every_field_count_reads_the_same_punch(line: str) -> None:
    batch = parse_attlog(line + "\r\n", device_sn=SN, zone=ZONE)
    assert batch.bad == ()
    (p,) = batch.punches
    assert p.device_user == "1"
    assert p.local.replace(tzinfo=None) == datetime(2024, 7, 28, 1, 25, 24)  # noqa: DTZ001
    assert p.id == punch_id(SN, "1", p.local)
    if line.count("\t") >= 3 or line.count(" ") >= 4:
        assert p.state == PunchState.IN
        assert p.verify_mode == VerifyMode.FINGERPRINT


def test_captured_line_of_a_real_clock() -> None:
    (p,) = parse_attlog(CAPTURED, device_sn=SN, zone=ZONE).punches
    assert (p.device_user, p.state, p.verify_mode) == ("3", PunchState.UNDEFINED, VerifyMode.FACE)
    assert p.at.isoformat() == "2023-10-16T00:38:16+00:00"


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_ends_and_blank_lines(eol: str) -> None:
    body = eol.join(["1\t2024-07-28 08:00:00\t0\t1", "", "2\t2024-07-28 08:00:05\t1\t15", ""])
    batch = parse_attlog(body, device_sn=SN, zone=ZONE)
    assert [p.device_user for p in batch.punches] == ["1", "2"]
    assert batch.punches[1].state == PunchState.OUT


def test_bad_lines_are_named_next_to_good_ones() -> None:
    body = "1\t2024-07-28 08:00:00\t0\t1\n2\t2024-02-30 08:00:00\t0\t1\n\t2024-07-28 08:00:00\nx\n"
    batch = parse_attlog(body, device_sn=SN, zone=ZONE)
    assert [p.device_user for p in batch.punches] == ["1"]
    assert [b.number for b in batch.bad] == [2, 3, 4]
    assert "2024-02-30" in batch.bad[0].reason


def test_gb2312_body_is_read_by_declared_charset_or_fallback() -> None:
    text = "USER PIN=7\tName=张伟\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0\n"
    raw = text.encode("gb2312")
    assert decode_body(raw, "text/plain;charset=GB2312") == text
    assert decode_body(raw, "text/plain") == text  # not UTF-8: GB18030 fallback
    assert decode_body(text.encode(), None) == text
    (user,) = parse_operlog(decode_body(raw), zone=ZONE).users
    assert (user.user_id, user.name) == ("7", "张伟")


def test_undecodable_and_oversized_bodies_are_refused() -> None:
    with pytest.raises(BadBody, match="neither UTF-8"):
        decode_body(b"\xff\xfe\x80\x80\xff")
    with pytest.raises(BadBody, match="larger than"):
        decode_body(b"x" * 11, max_bytes=10)


def test_operlog_mix_keeps_no_biometric_data() -> None:
    body = (
        "OPLOG 4\t0\t2024-06-13 12:44:02\t0\t0\t0\t0\n"
        "USER PIN=1\tName=Ann\tPri=14\tPasswd=123\tCard=[0A0B]\tGrp=1\tTZ=0\n"
        "FP PIN=1\tFID=6\tSize=1184\tValid=1\tTMP=SECRETTEMPLATE==\n"
        "USERPIC PIN=1\tFileName=1.jpg\tSize=3\tContent=AAAA\n"
        "OPLOG 3 0 2024-06-13 12:45:00 1 0 0 0\n"
    )
    batch = parse_operlog(body, zone=ZONE)
    assert [o.op for o in batch.oplogs] == [4, 3]
    assert batch.users[0].privilege == 14 and batch.users[0].name == "Ann"
    assert batch.biometrics == 2
    assert "SECRETTEMPLATE" not in repr(batch)


def test_rtlog_keeps_person_passages_only() -> None:
    body = (
        "time=2024-06-13 12:44:02\tpin=5\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=1\t"
        "verifytype=15\tindex=9\n"
        "time=2024-06-13 12:44:09\tpin=0\tcardno=0\teventaddr=1\tevent=8\tinoutstatus=2\n"
        "time=2024-06-13 12:45:00\tpin=5\tevent=27\tverifytype=15\n"
    )
    batch, other = parse_rtlog(body, device_sn=SN, zone=ZONE)
    (p,) = batch.punches
    assert (p.device_user, p.state, p.verify_mode) == ("5", PunchState.OUT, VerifyMode.FACE)
    assert other == 2


def test_devicecmd_several_results_and_info_details() -> None:
    body = (
        "ID=12&Return=0&CMD=DATA\r\n"
        "ID=13&Return=-1002&CMD=DATA\r\n"
        "id=14&return=0&cmd=INFO\n~DeviceName=F22\nUserCount=3\n"
        "ID=15&Return=0\n"  # CLEAR LOG: CMD not echoed by every firmware
    )
    results, bad = parse_devicecmd(body)
    assert bad == ()
    assert [(r.id, r.code) for r in results] == [(12, 0), (13, -1002), (14, 0), (15, 0)]
    assert results[2].details == (("~DeviceName", "F22"), ("UserCount", "3"))
    assert not results[1].ok


def test_server_answers_are_exact() -> None:
    assert ok() == "OK" and ok(3) == "OK: 3"
    text = encode_handshake(SN, HandshakeOptions(att_stamp="42", delay_s=5), pushver="2.4.1")
    assert text.startswith(f"GET OPTION FROM: {SN}\nATTLOGStamp=42\n")
    assert "Delay=5\n" in text and "Realtime=1\n" in text and "\r" not in text
    old = encode_handshake(SN, HandshakeOptions(att_stamp="42"))
    assert "\nStamp=42\n" in old and "TransFlag=1111000000\n" in old
    assert "MaxPostSize=1048576" in encode_handshake(SN, HandshakeOptions(), pushver="3.1.2")
    assert encode_commands([]) == "OK"
    assert encode_commands([(1, "INFO"), (2, "CHECK")]) == "C:1:INFO\nC:2:CHECK\n"


def test_3x_tabledata_transactions_and_users() -> None:
    from drivers.adms.codec import parse_table_users, parse_transactions
    from drivers.zkteco.timecodec import pack_time_value

    packed = pack_time_value(datetime(2024, 6, 13, 12, 44, 2))  # noqa: DTZ001
    body = (
        f"transaction cardno=0\tpin=8\tverified=15\tdoorid=1\teventtype=0\tinoutstate=1\t"
        f"time_second={packed}\n"
        f"transaction pin=0\teventtype=8\ttime_second={packed}\n"
        f"transaction pin=9\teventtype=27\ttime_second={packed}\n"
        "transaction pin=9\teventtype=0\ttime_second=99999999999\n"
    )
    batch, other = parse_transactions(body, device_sn=SN, zone=ZONE)
    (p,) = batch.punches
    assert (p.device_user, p.state, p.verify_mode) == ("8", PunchState.OUT, VerifyMode.FACE)
    assert p.local.replace(tzinfo=None) == datetime(2024, 6, 13, 12, 44, 2)  # noqa: DTZ001
    assert other == 2 and len(batch.bad) == 1
    users = parse_table_users("user uid=1\tpin=5\tname=Ann\tprivilege=14\n user pin=\n")
    assert [(u.user_id, u.name, u.privilege) for u in users] == [("5", "Ann", 14)]
