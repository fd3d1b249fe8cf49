"""A ZKTeco PUSH (ADMS) device: an HTTP client that talks to a server as firmware does.

It handshakes (``GET /iclock/cdata?SN=..&options=all&pushver=..``; 3.x first ``registry`` and
``push``), takes its options from the answer (a bare ``OK`` is tolerated, as firmware does),
uploads its log in batches and keeps each batch until the server answers ``OK`` -- after a
timeout, a 5xx, a non-OK answer or a lost ``OK`` it sends the same batch again -- then polls
``getrequest``, executes ``C:<id>:`` commands once each (a re-sent id is reported again, never
executed twice) and POSTs every result of a poll in one ``devicecmd`` body.

Headers as real devices send them: ``User-Agent: iClock Proxy/1.09``, ``Connection: close``,
``Content-Type: text/plain``. Users, log and clock come from a seed. Not thread-safe: one
simulator is one device, driven by one thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import httpx

from drivers.adms.codec import parse_handshake_reply
from drivers.adms.commands import (
    RETURN_NO_DATA,
    RETURN_OK,
    RETURN_PARAMETER_ERROR,
    RETURN_UNKNOWN_COMMAND,
    RETURN_USER_NOT_FOUND,
    TIME_FORMAT,
    ParsedCommand,
    command_fields,
    parse_command_lines,
)
from drivers.errors import DeviceUnreachable, ProtocolViolation
from drivers.files.attlog import parse_time
from drivers.zkteco.timecodec import unpack_time_value

log = logging.getLogger(__name__)

USER_AGENT = "iClock Proxy/1.09"
FIRMWARES = {"2.4": "2.4.1", "3.1": "3.1.2"}
_LOG_START = datetime(2026, 11, 2, 7, 0, 0)  # noqa: DTZ001 - device wall time
_VERIFY = (1, 1, 1, 15, 15, 2, 0)
_NAMES = ("Ann", "Bo", "Chen Li", "Dara", "Eli", "Fang", "Gus", "Hui", "Ivo", "Jin")
_CN_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静")


def _wall_text(text: str) -> datetime:
    """A device-local ``YYYY-MM-DD HH:MM:SS`` (or with ``T``); ValueError when malformed."""
    return parse_time(text.strip().replace("T", " ", 1))


@dataclass(frozen=True, slots=True)
class LogRecord:
    pin: str
    wall: datetime
    status: int
    verify: int


@dataclass
class SimUser:
    pin: str
    name: str
    privilege: int = 0
    card: str = ""
    password: str = ""
    group: str = "1"


@dataclass
class SimStats:
    uploads: int = 0  # POSTs of punch batches, re-sends included
    resends: int = 0
    errors: int = 0  # timeouts, 5xx, non-OK answers
    lost_acks: int = 0
    polls: int = 0
    executed: int = 0  # commands executed (never twice per id)
    repeated: int = 0  # command ids the server sent again (reported, not executed)
    results_posted: int = 0
    handshakes: int = 0
    acked: int = 0  # records the server acknowledged
    #: seconds of each upload POST that got an answer (for benchmarks)
    upload_seconds: list[float] = field(default_factory=list)


@dataclass
class AdmsDeviceSimulator:
    """One simulated PUSH device talking to ``server`` (``http://host:port``)."""

    server: str
    serial: str = "ADMSSIM0000001"
    records: int = 100
    seed: int = 0
    users: int = 10
    batch_size: int = 50
    realtime: bool = False
    lost_acks: int = 0
    firmware: str = "2.4"
    timezone: str = "Asia/Shanghai"
    language: int = 69  # 83 = Chinese: bodies in GB2312 (GB18030)
    timeout_s: float = 5.0
    #: cap on waits the server asks for (ErrorDelay, Delay); tests and demos use small values
    max_wait_s: float = 30.0
    max_attempts: int = 10
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    transport: httpx.BaseTransport | None = None
    stats: SimStats = field(default_factory=SimStats)

    def __post_init__(self) -> None:
        if self.firmware not in FIRMWARES:
            raise ValueError(f"firmware {self.firmware!r} must be one of {', '.join(FIRMWARES)}")
        if self.batch_size < 1:
            raise ValueError("batch size must be at least 1")
        if self.records > 0 and self.users < 1:
            raise ValueError("a log with records needs at least one user")
        self.zone = ZoneInfo(self.timezone)
        rng = random.Random(self.seed)
        names = _CN_NAMES if self.language == 83 else _NAMES
        self.user_table: dict[str, SimUser] = {
            str(i): SimUser(str(i), f"{names[(i - 1) % len(names)]} {i}")
            for i in range(1, self.users + 1)
        }
        self.log: list[LogRecord] = []
        wall = _LOG_START + timedelta(minutes=rng.randrange(0, 60))
        for _ in range(self.records):
            wall += timedelta(seconds=rng.randrange(7, 600))
            self.add_record(
                rng.choice(list(self.user_table)), wall, rng.choice((0, 1)), rng.choice(_VERIFY)
            )
        self.acked = 0  # log index up to which the server said OK (the device's stamp)
        self.options: dict[str, str] = {}
        self.clock_offset = timedelta(0)
        self.executed: dict[int, str] = {}  # command id -> result line
        self.pending_results: list[str] = []
        self._client = httpx.Client(
            base_url=self.server,
            timeout=self.timeout_s,
            transport=self.transport,
            headers={"User-Agent": USER_AGENT, "Connection": "close"},
        )
        self._session_id = ""

    # -- state -------------------------------------------------------------------------------
    @property
    def pushver(self) -> str:
        return FIRMWARES[self.firmware]

    @property
    def encoding(self) -> str:
        return "gb18030" if self.language == 83 else "utf-8"

    def add_record(self, pin: str, wall: datetime, status: int = 0, verify: int = 1) -> LogRecord:
        rec = LogRecord(pin, wall, status, verify)
        self.log.append(rec)
        return rec

    def device_time(self) -> datetime:
        return (self.clock() + self.clock_offset).astimezone(self.zone).replace(tzinfo=None)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AdmsDeviceSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP --------------------------------------------------------------------------------
    def _request(
        self, method: str, path: str, params: dict[str, str], body: str | None = None
    ) -> httpx.Response:
        content = body.encode(self.encoding) if body is not None else None
        headers = {"Content-Type": "text/plain"} if content is not None else {}
        if self.firmware == "3.1" and content is not None:
            headers["Content-Type"] = "application/push;charset=UTF-8"
            if self.encoding != "utf-8":
                headers["Content-Type"] = "application/push;charset=GB2312"
        try:
            return self._client.request(
                method, path, params={"SN": self.serial, **params}, content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            raise DeviceUnreachable(self.server, None, f"{type(exc).__name__}: {exc}") from exc

    def _wait(self, stop: threading.Event | None, seconds: float) -> None:
        (stop or threading.Event()).wait(min(seconds, self.max_wait_s))

    def _error_delay(self) -> float:
        return float(self.options.get("ErrorDelay", "30") or 30)

    def _delay(self) -> float:
        return float(self.options.get("Delay", self.options.get("RequestDelay", "10")) or 10)

    # -- handshake ---------------------------------------------------------------------------
    def handshake(self) -> dict[str, str]:
        """Register (3.x), ask for options, set the clock from the ``Date`` header."""
        if self.firmware == "3.1":
            reg = self._request(
                "POST",
                "/iclock/registry",
                {},
                f"DeviceType=acc,~DeviceName=SpeedFace,FirmVer={self.pushver},PushVersion="
                f"{self.pushver},MultiBioDataSupport=0:1:0:0:0:0:0:0:0:1",
            )
            self._check(reg, "registry")
            push = self._request("POST", "/iclock/push", {})
            self._check(push, "push")
            self._session_id = parse_handshake_reply(push.text).get("SessionID", "")
        resp = self._request(
            "GET",
            "/iclock/cdata",
            {"options": "all", "pushver": self.pushver, "language": str(self.language)},
        )
        self._check(resp, "handshake")
        self.options = parse_handshake_reply(resp.text)  # a bare OK gives no options
        self._set_clock_from(resp)
        self.stats.handshakes += 1
        return self.options

    def _set_clock_from(self, resp: httpx.Response) -> None:
        date = resp.headers.get("Date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        drift = server - self.clock()
        if abs(drift.total_seconds()) > 2:
            self.clock_offset = drift

    def _check(self, resp: httpx.Response, what: str) -> None:
        if resp.status_code >= 400:
            raise ProtocolViolation(f"server refused {what}: {resp.status_code} {resp.text[:200]}")

    # -- uploads -----------------------------------------------------------------------------
    def format_record(self, rec: LogRecord, index: int) -> str:
        stamp = rec.wall.strftime(TIME_FORMAT)
        if self.firmware == "3.1":
            return (
                f"time={stamp}\tpin={rec.pin}\tcardno=0\teventaddr=1\tevent=0\t"
                f"inoutstatus={rec.status}\tverifytype={rec.verify}\tindex={index + 1}"
            )
        return f"{rec.pin}\t{stamp}\t{rec.status}\t{rec.verify}\t\t0\t0\t"

    def _table(self) -> str:
        return "rtlog" if self.firmware == "3.1" else "ATTLOG"

    def upload(self, stop: threading.Event | None = None, *, pace_s: float = 0.0) -> int:
        """Send every record after the stamp, a batch at most every ``pace_s`` seconds;
        returns how many the server acknowledged."""
        size = 1 if self.realtime else self.batch_size
        sent = 0
        next_at = time.monotonic()
        while self.acked < len(self.log):
            if pace_s > 0:
                (stop or threading.Event()).wait(max(0.0, next_at - time.monotonic()))
                next_at += pace_s
            start = self.acked
            batch = self.log[start : start + size]
            body = "\r\n".join(self.format_record(r, start + i) for i, r in enumerate(batch))
            self._post_until_ok(
                {"table": self._table(), "Stamp": str(start)}, body + "\r\n", stop, "upload"
            )
            self.acked = start + len(batch)
            self.stats.acked += len(batch)
            sent += len(batch)
        return sent

    def upload_records(self, records: list[LogRecord], stop: threading.Event | None = None) -> None:
        """Re-send chosen records (answer to DATA QUERY ATTLOG)."""
        size = self.batch_size
        for i in range(0, len(records), size):
            body = "\r\n".join(
                self.format_record(r, self.log.index(r)) for r in records[i : i + size]
            )
            self._post_until_ok(
                {"table": self._table(), "Stamp": "0"}, body + "\r\n", stop, "query"
            )

    def upload_users(self, stop: threading.Event | None = None) -> None:
        """The user table as OPERLOG USER lines (what a device sends after enrolment)."""
        lines = [
            f"USER PIN={u.pin}\tName={u.name}\tPri={u.privilege}\tPasswd={u.password}\t"
            f"Card={u.card}\tGrp={u.group}\tTZ=0"
            for u in self.user_table.values()
        ]
        if lines:
            self._post_until_ok(
                {"table": "OPERLOG", "OpStamp": "0"}, "\n".join(lines) + "\n", stop, "users"
            )

    def _post_until_ok(
        self, params: dict[str, str], body: str, stop: threading.Event | None, what: str
    ) -> None:
        for attempt in range(1, self.max_attempts + 1):
            if stop is not None and stop.is_set():
                raise DeviceUnreachable(self.server, None, "stopped before the batch was acked")
            if attempt > 1:
                self.stats.resends += 1
            self.stats.uploads += 1
            started = time.perf_counter()
            try:
                resp = self._request("POST", "/iclock/cdata", params, body)
            except DeviceUnreachable as exc:
                self.stats.errors += 1
                log.info(
                    "adms sim %s failed serial=%s attempt=%d error=%s",
                    what,
                    self.serial,
                    attempt,
                    exc,
                )
                self._wait(stop, self._error_delay())
                continue
            self.stats.upload_seconds.append(time.perf_counter() - started)
            if self.lost_acks > 0 and resp.status_code == 200:
                self.lost_acks -= 1
                self.stats.lost_acks += 1
                continue  # the OK never reached the device: it sends the batch again
            if resp.status_code == 200 and resp.text.strip().upper().startswith("OK"):
                return
            self.stats.errors += 1
            if 400 <= resp.status_code < 500:
                raise ProtocolViolation(
                    f"server refused {what} of {self.serial}: {resp.status_code} {resp.text[:200]}"
                )
            self._wait(stop, self._error_delay())
        raise DeviceUnreachable(
            self.server, None, f"{what} not acknowledged after {self.max_attempts} attempts"
        )

    # -- commands ----------------------------------------------------------------------------
    def info_line(self) -> str:
        users, records = len(self.user_table), len(self.log)
        return f"Ver {self.pushver}-sim,{users},0,{records},127.0.0.1,10,7,0,0,000"

    def poll(self, stop: threading.Event | None = None) -> list[ParsedCommand]:
        """One getrequest: execute what it brings, report the results in one devicecmd POST."""
        resp = self._request("GET", "/iclock/getrequest", {"INFO": self.info_line()})
        self.stats.polls += 1
        self._check(resp, "getrequest")
        commands = parse_command_lines(resp.text)
        for cmd in commands:
            if cmd.id in self.executed:
                self.stats.repeated += 1
                self.pending_results.append(self.executed[cmd.id])
                continue
            result = self.execute(cmd, stop)
            self.executed[cmd.id] = result
            self.stats.executed += 1
            self.pending_results.append(result)
        self.report(stop)
        return commands

    def report(self, stop: threading.Event | None = None) -> None:
        """POST pending results, several lines per body; kept until the server answers OK."""
        if not self.pending_results:
            return
        body = "\n".join(self.pending_results) + "\n"
        for _ in range(self.max_attempts):
            try:
                resp = self._request("POST", "/iclock/devicecmd", {}, body)
            except DeviceUnreachable:
                self.stats.errors += 1
                self._wait(stop, self._error_delay())
                continue
            if resp.status_code == 200 and resp.text.strip().upper().startswith("OK"):
                self.stats.results_posted += len(self.pending_results)
                self.pending_results = []
                return
            self.stats.errors += 1
            if 400 <= resp.status_code < 500:
                raise ProtocolViolation(
                    f"server refused devicecmd: {resp.status_code} {resp.text[:200]}"
                )
            self._wait(stop, self._error_delay())

    def execute(self, cmd: ParsedCommand, stop: threading.Event | None = None) -> str:
        """Run one command on the simulated device; returns its result line(s)."""
        text = cmd.text
        upper = text.upper()
        fields = command_fields(text)
        code = RETURN_OK
        verb = cmd.verb
        extra: list[str] = []
        if upper.startswith("DATA UPDATE USERINFO"):
            pin = fields.get("pin", "")
            if not pin:
                code = RETURN_PARAMETER_ERROR
            else:
                self.user_table[pin] = SimUser(
                    pin,
                    fields.get("name", ""),
                    int(fields.get("pri", "0") or 0),
                    fields.get("card", ""),
                    fields.get("passwd", ""),
                    fields.get("grp", "1"),
                )
        elif upper.startswith("DATA DELETE USERINFO"):
            pin = fields.get("pin", "")
            code = RETURN_OK if self.user_table.pop(pin, None) else RETURN_USER_NOT_FOUND
        elif upper.startswith("DATA QUERY ATTLOG"):
            try:
                start = _wall_text(fields.get("starttime", ""))
                end = _wall_text(fields.get("endtime", ""))
            except ValueError:
                code = RETURN_PARAMETER_ERROR
            else:
                found = [r for r in self.log if start <= r.wall <= end]
                if found:
                    self.upload_records(found, stop)
                else:
                    code = RETURN_NO_DATA
        elif upper.startswith("CLEAR LOG"):
            self.log.clear()
            self.acked = 0
        elif upper.startswith("SET OPTION"):
            key, _, value = text[len("SET OPTION") :].strip().partition("=")
            if not key:
                code = RETURN_PARAMETER_ERROR
            elif key == "DateTime":
                code = self._set_time(value)
            else:
                self.options[key] = value
        elif upper == "INFO":
            extra = [
                "~DeviceName=ADMS simulator",
                f"MAC=00:17:61:00:00:{self.seed % 100:02d}",
                f"UserCount={len(self.user_table)}",
                f"TransactionCount={len(self.log)}",
                f"FWVersion=Ver {self.pushver}-sim",
                f"DateTime={self.device_time().strftime(TIME_FORMAT)}",
            ]
        elif upper in {"CHECK", "LOG"}:
            pass
        elif upper == "REBOOT":
            self.options = {}
        else:
            code = RETURN_UNKNOWN_COMMAND
        line = f"ID={cmd.id}&Return={code}&CMD={verb}"
        return "\n".join([line, *extra])

    def _set_time(self, value: str) -> int:
        value = value.strip()
        try:
            if value.isdigit():
                wall = unpack_time_value(int(value))
            else:
                wall = _wall_text(value)
        except (ValueError, ProtocolViolation):
            return RETURN_PARAMETER_ERROR
        target = wall.replace(tzinfo=self.zone).astimezone(UTC)
        self.clock_offset = target - self.clock()
        return RETURN_OK

    # -- a whole session ---------------------------------------------------------------------
    def run(
        self, *, polls: int = 1, stop: threading.Event | None = None, users: bool = False
    ) -> SimStats:
        """Handshake, (users,) upload everything, then ``polls`` getrequests ``Delay`` apart."""
        self.handshake()
        if users:
            self.upload_users(stop)
        self.upload(stop)
        for n in range(polls):
            if stop is not None and stop.is_set():
                break
            if n:
                self._wait(stop, self._delay())
            self.poll(stop)
            self.upload(stop)  # punches made meanwhile (none unless added)
        return self.stats
