"""ZKTeco PUSH ("ADMS", ``/iclock/...``) text codec: bodies in, typed records out, and the
exact text the server answers.

Liberal in what it reads: ``\\r\\n``, ``\\n`` or ``\\r`` line ends, trailing TABs, 2 to 16
fields per ATTLOG line, TAB or space separators, UTF-8 or GB2312/GBK/GB18030 bodies (Chinese
firmware). Exact in what it writes: ``OK``, ``OK: n``, ``GET OPTION FROM: SN`` blocks and
``C:id:command`` lines, each line ending in ``\\n``.

A body that cannot be read at all (wrong encoding, no parseable line) is a :class:`BadBody`;
one bad line among good ones is a :class:`BadLine` next to the good records, so the caller
decides (the gateway stores the good lines and keeps the bad ones verbatim).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from drivers.errors import ProtocolViolation
from drivers.files.attlog import RecordError, parse_small_int, parse_time, parse_user
from drivers.localtime import attach_zone
from drivers.punch import DeviceUser, Punch, VerifyMode
from drivers.zkteco.codes import VERIFY_MODES, map_state, map_verify
from drivers.zkteco.timecodec import unpack_time_value

SOURCE = "adms"
#: what 3.x firmware announces as ``MaxPostSize``; larger bodies are refused
MAX_BODY_BYTES = 1_048_576
EOL = "\n"
#: rtlog ``event`` codes below this are verified passages; 20 and above are refusals/alarms
RTLOG_FIRST_REFUSAL = 20
_GB = {"gb2312", "gbk", "gb18030", "cp936", "euc-cn"}


class BadBody(ProtocolViolation):
    """The whole body is unusable; nothing of it may be stored."""


@dataclass(frozen=True, slots=True)
class BadLine:
    number: int  # 1-based line number in the body
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class PunchBatch:
    """The punches of one upload and the lines that could not be read."""

    punches: tuple[Punch, ...]
    bad: tuple[BadLine, ...] = ()

    @property
    def lines(self) -> int:
        return len(self.punches) + len(self.bad)


@dataclass(frozen=True, slots=True)
class OpLog:
    """An ``OPLOG`` line: an operation on the device's keypad (enrol, delete, menu...)."""

    op: int
    admin: str
    local: datetime
    params: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OperlogBatch:
    oplogs: tuple[OpLog, ...] = ()
    users: tuple[DeviceUser, ...] = ()
    #: FP / FACE / USERPIC / BIOPHOTO lines: counted, never kept (biometric data)
    biometrics: int = 0
    bad: tuple[BadLine, ...] = ()

    @property
    def lines(self) -> int:
        return len(self.oplogs) + len(self.users) + self.biometrics + len(self.bad)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One ``ID=..&Return=..&CMD=..`` line of a devicecmd POST, with the ``Key=Value`` lines
    that followed it (INFO answers)."""

    id: int
    code: int
    cmd: str = ""
    details: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.code == 0


# -- bodies ----------------------------------------------------------------------------------
def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def decode_body(
    body: bytes, content_type: str | None = None, *, max_bytes: int = MAX_BODY_BYTES
) -> str:
    """The body as text: the declared charset, else UTF-8, else GB18030 (a superset of GB2312
    and GBK, what Chinese-language firmware sends)."""
    if len(body) > max_bytes:
        raise BadBody(f"body of {len(body)} bytes is larger than {max_bytes}")
    declared = charset_of(content_type)
    tries: list[str] = []
    if declared:
        tries.append("gb18030" if declared in _GB else declared)
    tries += [c for c in ("utf-8", "gb18030") if c not in tries]
    for codec in tries:
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.removeprefix("\ufeff")
    raise BadBody("body is neither UTF-8 nor GB2312/GBK/GB18030 text")


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based number, line) for every non-blank line, whatever the line ends."""
    for number, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if line.strip():
            yield number, line


_SPACED = re.compile(r"^(\S+)\s+(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}:\d{2}:\d{2})(?:\s+(.*))?$")


def split_fields(line: str) -> list[str]:
    """TAB-separated fields; a line without TABs is split on runs of spaces (its date and time
    stay one field)."""
    if "\t" in line:
        return line.split("\t")
    match = _SPACED.match(line.strip())
    if match is None:
        return [line]
    pin, day, clock, rest = match.groups()
    return [pin, f"{day} {clock}", *(rest.split() if rest else [])]


def _wall(text: str) -> datetime:
    return parse_time(text.strip().replace("T", " ", 1))


# -- ATTLOG ----------------------------------------------------------------------------------
def parse_attlog_line(line: str, *, device_sn: str, zone: tzinfo) -> Punch:
    """``PIN, time, status, verify, workcode, reserved...``; only PIN and time are required."""
    fields = split_fields(line)
    if len(fields) < 2:
        raise RecordError("expected 'PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>status<TAB>verify...'")
    user = parse_user(fields[0])
    wall = _wall(fields[1])
    state_code = parse_small_int(fields[2], "status") if len(fields) > 2 else None
    verify_code = parse_small_int(fields[3], "verify") if len(fields) > 3 else None
    return Punch(
        device_sn=device_sn,
        device_user=user,
        local=attach_zone(wall, zone),
        state=map_state(state_code),
        verify_mode=map_verify(verify_code),
        source=SOURCE,
        raw=line.rstrip("\r\n"),
    )


def parse_attlog(text: str, *, device_sn: str, zone: tzinfo) -> PunchBatch:
    punches: list[Punch] = []
    bad: list[BadLine] = []
    for number, line in iter_lines(text):
        try:
            punches.append(parse_attlog_line(line, device_sn=device_sn, zone=zone))
        except (RecordError, ValueError) as exc:
            bad.append(BadLine(number, line, str(exc)))
    return PunchBatch(tuple(punches), tuple(bad))


# -- rtlog (push 3.x) ------------------------------------------------------------------------
def parse_kv_fields(text: str, *, separators: str = "\t") -> dict[str, str]:
    """``key=value`` pairs separated by TABs (keys lower-cased); a value may contain ``=``."""
    out: dict[str, str] = {}
    for part in re.split(f"[{re.escape(separators)}]", text):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            out[key.strip().lower()] = value.strip()
    return out


#: 3.x verify types: the ZKTeco table, and 3 for a password
_RTLOG_VERIFY = {**VERIFY_MODES, 3: VerifyMode.PASSWORD}


def parse_rtlog_line(line: str, *, device_sn: str, zone: tzinfo) -> Punch | None:
    """``time=..\\tpin=..\\tevent=..\\tinoutstatus=..\\tverifytype=..``; ``None`` for a line
    that is no punch (no person, or a refused/alarm event)."""
    kv = parse_kv_fields(line)
    if "time" not in kv:
        raise RecordError("rtlog line without time=")
    wall = _wall(kv["time"])
    pin = kv.get("pin", "").strip()
    event = parse_small_int(kv.get("event", "0"), "event") or 0
    if not pin or pin == "0" or event >= RTLOG_FIRST_REFUSAL:
        return None
    state_code = parse_small_int(kv.get("inoutstatus", ""), "inoutstatus")
    verify_code = parse_small_int(kv.get("verifytype", ""), "verifytype")
    return Punch(
        device_sn=device_sn,
        device_user=parse_user(pin),
        local=attach_zone(wall, zone),
        state=map_state(state_code),
        verify_mode=_RTLOG_VERIFY.get(verify_code, VerifyMode.OTHER)
        if verify_code is not None
        else VerifyMode.UNKNOWN,
        source=SOURCE,
        raw=line.rstrip("\r\n"),
    )


def parse_rtlog(text: str, *, device_sn: str, zone: tzinfo) -> tuple[PunchBatch, int]:
    """The punches of a ``table=rtlog`` body and how many lines were events but no punch."""
    punches: list[Punch] = []
    bad: list[BadLine] = []
    other = 0
    for number, line in iter_lines(text):
        try:
            punch = parse_rtlog_line(line, device_sn=device_sn, zone=zone)
        except (RecordError, ValueError) as exc:
            bad.append(BadLine(number, line, str(exc)))
            continue
        if punch is None:
            other += 1
        else:
            punches.append(punch)
    return PunchBatch(tuple(punches), tuple(bad)), other


def _time_second(text: str) -> datetime:
    value = text.strip()
    if not value.isdigit() or len(value) > 10:
        raise RecordError(f"time_second {value[:20]!r} is not the device's packed time")
    try:
        return unpack_time_value(int(value))
    except ProtocolViolation as exc:
        raise RecordError(str(exc)) from exc


def parse_transactions(text: str, *, device_sn: str, zone: tzinfo) -> tuple[PunchBatch, int]:
    """3.x ``table=tabledata&tablename=transaction`` lines, ``transaction pin=..\tverified=..
    \teventtype=..\tinoutstate=..\ttime_second=<packed>`` (or ``time=`` as text); events
    without a person or refused (eventtype 20 and above) are counted, not punches."""
    punches: list[Punch] = []
    bad: list[BadLine] = []
    other = 0
    for number, line in iter_lines(text):
        body = line.strip()
        if body.lower().startswith("transaction"):
            body = body[len("transaction") :].lstrip()
        kv = parse_kv_fields(body)
        try:
            if kv.get("time_second"):
                wall = _time_second(kv["time_second"])
            elif kv.get("time"):
                wall = _wall(kv["time"])
            else:
                raise RecordError("transaction line without time_second= or time=")
            pin = kv.get("pin", "").strip()
            event = parse_small_int(kv.get("eventtype", kv.get("event", "0")), "eventtype") or 0
            if not pin or pin == "0" or event >= RTLOG_FIRST_REFUSAL:
                other += 1
                continue
            verify_code = parse_small_int(kv.get("verified", kv.get("verifytype", "")), "verified")
            punches.append(
                Punch(
                    device_sn=device_sn,
                    device_user=parse_user(pin),
                    local=attach_zone(wall, zone),
                    state=map_state(parse_small_int(kv.get("inoutstate", ""), "inoutstate")),
                    verify_mode=_RTLOG_VERIFY.get(verify_code, VerifyMode.OTHER)
                    if verify_code is not None
                    else VerifyMode.UNKNOWN,
                    source=SOURCE,
                    raw=line.rstrip("\r\n"),
                )
            )
        except (RecordError, ValueError) as exc:
            bad.append(BadLine(number, line, str(exc)))
    return PunchBatch(tuple(punches), tuple(bad)), other


def parse_table_users(text: str) -> tuple[DeviceUser, ...]:
    """3.x ``tablename=user`` lines (``user uid=..\tpin=..\tname=..\tprivilege=..``);
    lines without a readable pin are skipped."""
    users = []
    for _, line in iter_lines(text):
        body = line.strip()
        if body.lower().startswith("user"):
            body = body[4:].lstrip()
        try:
            users.append(_user_from(parse_kv_fields(body)))
        except (RecordError, ValueError):
            continue
    return tuple(users)


# -- OPERLOG ---------------------------------------------------------------------------------
_BIOMETRIC = ("FP ", "FACE ", "USERPIC ", "BIOPHOTO ", "FVEIN ", "BIODATA ")


def _user_from(kv: Mapping[str, str]) -> DeviceUser:
    pin = parse_user(kv.get("pin", ""))
    pri = parse_small_int(kv.get("pri", kv.get("privilege", "")), "Pri") or 0
    return DeviceUser(
        user_id=pin,
        name=kv.get("name", ""),
        card=kv.get("card", kv.get("cardno", "")) or None,
        privilege=pri,
        password=kv.get("passwd", kv.get("password", "")) or None,
        group=kv.get("grp", kv.get("group", "")) or None,
    )


def _spaced_oplog(rest: str) -> list[str]:
    tokens = rest.split()
    if len(tokens) < 4:
        return tokens
    return [tokens[0], tokens[1], f"{tokens[2]} {tokens[3]}", *tokens[4:]]


def parse_operlog(text: str, *, zone: tzinfo) -> OperlogBatch:
    """OPLOG, USER and biometric lines, in any mix."""
    oplogs: list[OpLog] = []
    users: list[DeviceUser] = []
    biometrics = 0
    bad: list[BadLine] = []
    for number, line in iter_lines(text):
        stripped = line.lstrip()
        try:
            if stripped.startswith("OPLOG"):
                rest = stripped[5:].lstrip(" \t")
                fields = rest.split("\t") if "\t" in rest else _spaced_oplog(rest)
                if len(fields) < 3:
                    raise RecordError("expected 'OPLOG op<TAB>admin<TAB>YYYY-MM-DD HH:MM:SS...'")
                oplogs.append(
                    OpLog(
                        parse_small_int(fields[0], "op") or 0,
                        fields[1].strip(),
                        attach_zone(_wall(fields[2]), zone),
                        tuple(f.strip() for f in fields[3:]),
                    )
                )
            elif stripped.startswith(_BIOMETRIC):
                biometrics += 1  # never parsed, never kept: templates are biometric data
            elif stripped.startswith("USER"):
                users.append(_user_from(parse_kv_fields(stripped[4:].lstrip())))
            else:
                raise RecordError("expected an OPLOG, USER, FP, FACE, USERPIC or BIOPHOTO line")
        except (RecordError, ValueError) as exc:
            bad.append(BadLine(number, line, str(exc)))
    return OperlogBatch(tuple(oplogs), tuple(users), biometrics, tuple(bad))


# -- devicecmd -------------------------------------------------------------------------------
def _result_fields(line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in line.strip().split("&"):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip().lower()] = value.strip()
    return out


def _signed(text: str, what: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"[-+]?[0-9]{1,9}", value):
        raise RecordError(f"{what} {value!r} is not a number")
    return int(value)


def parse_devicecmd(text: str) -> tuple[tuple[CommandResult, ...], tuple[BadLine, ...]]:
    """Every ``ID=..&Return=..&CMD=..`` line; ``Key=Value`` lines after one (INFO) are its
    details. Keys in any case, extra keys tolerated."""
    results: list[CommandResult] = []
    bad: list[BadLine] = []
    current: dict[str, object] | None = None
    details: list[tuple[str, str]] = []

    def flush() -> None:
        if current is not None:
            results.append(
                CommandResult(
                    int(str(current["id"])),
                    int(str(current["code"])),
                    str(current["cmd"]),
                    tuple(details),
                )
            )

    for number, line in iter_lines(text):
        fields = _result_fields(line) if "&" in line or line.lower().startswith("id=") else {}
        if "id" in fields:
            try:
                ident = _signed(fields["id"], "ID")
                code = _signed(fields.get("return", ""), "Return")
            except RecordError as exc:
                bad.append(BadLine(number, line, str(exc)))
                continue
            flush()
            current = {"id": ident, "code": code, "cmd": fields.get("cmd", "")}
            details = []
            continue
        key, sep, value = line.partition("=")
        if current is not None and sep and key.strip():
            details.append((key.strip(), value.strip()))
        else:
            bad.append(BadLine(number, line, "expected 'ID=<id>&Return=<code>&CMD=<verb>'"))
    flush()
    return tuple(results), tuple(bad)


# -- what the server sends -------------------------------------------------------------------
def ok(count: int | None = None) -> str:
    """``OK`` or ``OK: n``."""
    return "OK" if count is None else f"OK: {count}"


@dataclass(frozen=True, slots=True)
class HandshakeOptions:
    """The option block of the handshake reply."""

    att_stamp: str = "0"
    op_stamp: str = "0"
    photo_stamp: str = "0"
    error_delay_s: int = 30
    delay_s: int = 10
    trans_times: str = "00:00;14:05"
    trans_interval_min: int = 1
    realtime: bool = True
    timezone_hours: int | None = None
    trans_flag: str = "TransData AttLog\tOpLog\tEnrollUser\tChgUser"
    server_version: str = "shiftgate-0.1"


def encode_handshake(serial: str, opts: HandshakeOptions, *, pushver: str | None = None) -> str:
    """``GET OPTION FROM: SN`` and the options, in the dialect of the device's push version
    (``*Stamp`` keys from 2.0 on, ``Stamp``/``OpStamp``/``PhotoStamp`` before)."""
    modern = pushver is not None and _version(pushver) >= (2, 0)
    lines = [f"GET OPTION FROM: {serial}"]
    if modern:
        lines += [
            f"ATTLOGStamp={opts.att_stamp}",
            f"OPERLOGStamp={opts.op_stamp}",
            f"ATTPHOTOStamp={opts.photo_stamp}",
        ]
    else:
        lines += [
            f"Stamp={opts.att_stamp}",
            f"OpStamp={opts.op_stamp}",
            f"PhotoStamp={opts.photo_stamp}",
        ]
    lines += [
        f"ErrorDelay={opts.error_delay_s}",
        f"Delay={opts.delay_s}",
        f"TransTimes={opts.trans_times}",
        f"TransInterval={opts.trans_interval_min}",
        f"TransFlag={opts.trans_flag if modern else '1111000000'}",
        f"Realtime={1 if opts.realtime else 0}",
        "Encrypt=0",
    ]
    if opts.timezone_hours is not None:
        lines.append(f"TimeZone={opts.timezone_hours}")
    if modern:
        lines.append(f"ServerVer={opts.server_version}")
    if modern and _version(pushver or "0") >= (3, 0):
        lines += ["SupportPing=1", f"MaxPostSize={MAX_BODY_BYTES}"]
    return EOL.join(lines) + EOL


def encode_push_reply(session_id: str, *, delay_s: int, timeout_s: int = 60) -> str:
    """Answer of the 3.x ``/iclock/push`` configuration request."""
    return (
        EOL.join(
            [
                "ServerVersion=3.1.2",
                "ServerName=shiftgate",
                "PushVersion=3.1.2",
                "ErrorDelay=30",
                f"RequestDelay={delay_s}",
                "TransTimes=00:00\t14:00",
                "TransInterval=1",
                "TransTables=User Transaction",
                "Realtime=1",
                f"SessionID={session_id}",
                f"TimeoutSec={timeout_s}",
            ]
        )
        + EOL
    )


def encode_commands(commands: list[tuple[int, str]]) -> str:
    """``C:<id>:<command>`` lines, or ``OK`` when nothing is queued."""
    if not commands:
        return ok()
    return "".join(f"C:{ident}:{text}{EOL}" for ident, text in commands)


def parse_handshake_reply(text: str) -> dict[str, str]:
    """Options of a handshake reply (for the simulator); a bare ``OK`` gives ``{}``."""
    out: dict[str, str] = {}
    for _, line in iter_lines(text):
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _version(text: str) -> tuple[int, int]:
    parts = re.findall(r"[0-9]+", text)
    if not parts:
        return (0, 0)
    major = int(parts[0])
    minor = int(parts[1]) if len(parts) > 1 else 0
    return (major, minor)
