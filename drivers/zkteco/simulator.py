"""A ZKTeco terminal on loopback, speaking the binary protocol over TCP or UDP.

It shares the codec with the driver (never the client), holds users and an attendance log
generated deterministically from a seed, accepts clock and user changes, emits realtime
attendance events, and injects faults for tests (drop after K packets, corrupt checksums,
truncate replies, answer slowly, reboot, clear the log, move the clock). Thread-safe.

``checksum_variant`` picks the checksum form of its replies (``pyzk``: as the emulators and
clones built on the open-source clients' routine answer); with ``strict`` it also drops any
request whose checksum is not of that form, as a device that checks would.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from zoneinfo import ZoneInfo

from drivers.errors import DriverError
from drivers.zkteco.codec import (
    FCT_USER,
    MAX_CHUNK_TCP,
    UDP_DATA_SIZE,
    ChecksumForm,
    Cmd,
    EventFlag,
    FreeSizes,
    TcpDeframer,
    build_dataset,
    build_packet,
    check_commkey,
    checksum_form,
    encode_data_stat,
    encode_free_sizes,
    encode_option_reply,
    encode_prepare_data,
    frame_tcp,
    parse_cstring,
    parse_option_write,
    parse_packet,
    parse_prepare_buffer,
    parse_read_chunk,
    parse_u32,
)
from drivers.zkteco.records import (
    AttendanceRecord,
    UserRecord,
    decode_user,
    encode_attendance,
    encode_event,
    encode_user,
)
from drivers.zkteco.sim_profile import (
    INLINE_DATASET_LIMIT,
    LOG_START,
    VARIANTS,
    VERIFY_CHOICES,
    Quirk,
)
from drivers.zkteco.timecodec import decode_packed_time, encode_packed_time

log = logging.getLogger(__name__)

_OPTIONAL = frozenset({Cmd.DISABLEDEVICE, Cmd.ENABLEDEVICE, Cmd.REFRESHDATA, Cmd.FREE_DATA})


@dataclass
class _Session:
    session_id: int
    send: Callable[[list[bytes]], None]
    authed: bool = False
    events: int = 0
    buffer: bytes | None = None


class _Dropped(Exception):
    """Internal: the connection must be closed without answering."""


class ZKSimulator:
    """A simulated ZKTeco device. ``start()`` returns the port it listens on."""

    def __init__(
        self,
        users: int = 20,
        records: int = 1000,
        seed: int = 0,
        comm_key: int = 0,
        udp: bool = False,
        live_rate: float = 0.0,
        clock_offset_s: float = 0.0,
        firmware_variant: int = 40,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        user_record_size: int | None = None,
        timezone: str | None = None,
        clock: Callable[[], datetime] | None = None,
        checksum_variant: ChecksumForm = ChecksumForm.ONES,
        strict: bool = False,
        quirks: frozenset[Quirk] = frozenset(),
    ) -> None:
        if firmware_variant not in VARIANTS:
            raise ValueError(f"firmware variant {firmware_variant} must be one of 8, 16, 40")
        if users < 1 and records > 0:
            raise ValueError("a log with records needs at least one user")
        if not 0 <= comm_key <= 0xFFFFFFFF:
            raise ValueError(f"comm key {comm_key} must be between 0 and 4294967295")
        if live_rate < 0:
            raise ValueError(f"live rate {live_rate} must be >= 0 events per second")
        self.udp = udp
        self.checksum_variant = ChecksumForm(checksum_variant)
        self.strict = strict
        self.quirks = frozenset(Quirk(q) for q in quirks)
        #: requests a strict simulator dropped for their checksum
        self.rejected_requests = 0
        self.host = host
        self.comm_key = comm_key
        self.live_rate = live_rate
        self.firmware_variant = firmware_variant
        self.record_size = firmware_variant
        self.user_record_size = user_record_size or (28 if udp else 72)
        self.serial = f"ZKSIM{seed:07d}"
        version, platform, name, event_size = VARIANTS[firmware_variant]
        self.firmware, self.platform, self.device_name = version, platform, name
        self._event_size = event_size
        self._zone = ZoneInfo(timezone) if timezone else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._port = port
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sock: socket.socket | None = None
        self._bound_port: int | None = None
        self._sessions: dict[int, _Session] = {}
        self._conns: set[socket.socket] = set()
        self._next_session = 0x3A00 + (seed % 0x1000)
        self._offset = timedelta(seconds=clock_offset_s)
        self._disabled = False
        self._options: dict[str, str] = {}
        # faults
        self._drop_after: int | None = None
        self._corrupt = 0
        self._truncate = 0
        self._delay = 0.0
        self._packets_seen = 0
        self._live_rng = random.Random(seed + 1)
        self._more_rng = random.Random(seed + 2)
        self._commands: deque[int] = deque(maxlen=4096)
        self._users: dict[int, UserRecord] = {}
        self._log: list[AttendanceRecord] = []
        self._log_bytes = bytearray()
        self._generate(users, records, random.Random(seed))

    # -- deterministic content ---------------------------------------------------------------
    def _generate(self, n_users: int, n_records: int, rng: random.Random) -> None:
        for i in range(1, n_users + 1):
            self._users[i] = UserRecord(
                uid=i,
                user_id=str(i),
                name=f"User{i}"[:8],
                privilege=14 if i == 1 else 0,
                password="",
                card=1_000_000 + i if i % 3 == 0 else 0,
                group="1",
            )
        self._extend(n_records, rng, LOG_START)

    def _extend(self, n_records: int, rng: random.Random, after: datetime) -> None:
        t = after
        uids = list(self._users)
        for _ in range(n_records):
            t += timedelta(seconds=rng.randint(1, 300))
            uid = rng.choice(uids)
            self._append(uid, t, rng.choice(VERIFY_CHOICES), rng.randrange(6))

    def _append(self, uid: int, t: datetime, verify: int, state: int) -> AttendanceRecord:
        user = self._users.get(uid)
        user_id = user.user_id if user else str(uid)
        rec = AttendanceRecord(user_id=user_id, time=t, verify=verify, state=state, uid=uid)
        raw = encode_attendance(rec, self.record_size)
        rec = replace(rec, raw=raw)
        self._log.append(rec)
        self._log_bytes += raw
        return rec

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("simulator not started")
        return self._bound_port

    def start(self) -> int:
        if self._sock is not None:
            return self.port
        kind = socket.SOCK_DGRAM if self.udp else socket.SOCK_STREAM
        sock = socket.socket(socket.AF_INET, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        sock.settimeout(0.2)
        if not self.udp:
            sock.listen(16)
        self._sock = sock
        self._bound_port = int(sock.getsockname()[1])
        self._spawn(self._serve_udp if self.udp else self._accept_loop, "zksim-server")
        if self.live_rate > 0:
            self._spawn(self._live_loop, "zksim-live")
        log.info(
            "zk simulator listening port=%d udp=%s serial=%s", self.port, self.udp, self.serial
        )
        return self.port

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
            self._sessions.clear()
        for conn in conns:
            _close_quietly(conn)
        for t in self._threads:
            t.join(timeout=5)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> ZKSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [x for x in self._threads if x.is_alive()]
        self._threads.append(t)
        t.start()

    # -- ground truth and device actions -----------------------------------------------------
    def attendance(self) -> list[AttendanceRecord]:
        with self._lock:
            return list(self._log)

    def users(self) -> list[UserRecord]:
        with self._lock:
            return [self._users[k] for k in sorted(self._users)]

    def device_time(self) -> datetime:
        """The device's wall clock now (zone-less, to the second)."""
        with self._lock:
            now = self._clock()
            local = now.astimezone(self._zone) if self._zone else now.astimezone()
            return (local.replace(tzinfo=None) + self._offset).replace(microsecond=0)

    @property
    def disabled(self) -> bool:
        with self._lock:
            return self._disabled

    def live_sessions(self) -> int:
        """Sessions currently registered for attendance events."""
        with self._lock:
            return sum(1 for s in self._sessions.values() if s.events & EventFlag.ATTLOG)

    def session_count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def punch_now(self, user_id: str, state: int = 0, verify: int = 1) -> AttendanceRecord:
        """Someone punches: append to the log and send the realtime event to listeners."""
        with self._lock:
            uid = next((u.uid for u in self._users.values() if u.user_id == user_id), None)
            if uid is None:
                raise ValueError(f"no user {user_id!r} on simulated device {self.serial}")
            rec = self._append(uid, self.device_time(), verify, state)
            listeners = [s for s in self._sessions.values() if s.events & EventFlag.ATTLOG]
        data = encode_event(rec.user_id, rec.time, rec.verify, rec.state, self._event_size)
        if Quirk.ODD_EVENTS in self.quirks:
            data = data[:20].ljust(20, b"\x00")
        event_rid = 0x1234 if Quirk.EVENT_REPLY_IDS in self.quirks else 0
        packet = self._packet(Cmd.REG_EVENT, int(EventFlag.ATTLOG), event_rid, data)
        for session in listeners:
            try:
                session.send([packet])
            except OSError:
                log.debug("event not delivered session=%d", session.session_id)
        return rec

    def add_punches(self, count: int) -> list[AttendanceRecord]:
        """Append ``count`` deterministic records after the last one (no live events)."""
        with self._lock:
            if not self._users:
                raise ValueError(f"simulated device {self.serial} has no users to punch")
            before = len(self._log)
            last = self._log[-1].time if self._log else LOG_START
            self._extend(count, self._more_rng, last)
            return self._log[before:]

    def commands_seen(self) -> list[int]:
        """Command codes received (newest last, up to 4096), for tests."""
        with self._lock:
            return list(self._commands)

    def _live_loop(self) -> None:
        interval = 1.0 / self.live_rate
        while not self._stop.wait(interval):
            with self._lock:
                if self._disabled or not self._users:
                    continue
                user = self._users[self._live_rng.choice(list(self._users))]
                state = self._live_rng.randrange(2)
            self.punch_now(user.user_id, state=state, verify=1)

    # -- fault injection ---------------------------------------------------------------------
    def drop_after(self, packets: int) -> None:
        """Answer ``packets`` more requests, then close the connection of the next one."""
        with self._lock:
            self._drop_after = packets

    def corrupt_checksums(self, count: int) -> None:
        """The next ``count`` reply packets carry a wrong checksum."""
        with self._lock:
            self._corrupt = count

    def truncate_replies(self, count: int) -> None:
        """The next ``count`` reply packets lose the second half of their data."""
        with self._lock:
            self._truncate = count

    def answer_slowly(self, delay_s: float) -> None:
        """Wait ``delay_s`` before each reply (0 restores normal speed)."""
        with self._lock:
            self._delay = delay_s

    def reboot(self) -> None:
        """Drop every session and connection; users, log and clock survive."""
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
            self._sessions.clear()
            self._disabled = False
        for conn in conns:
            _close_quietly(conn)

    def clear_log(self) -> None:
        """Wipe the attendance log, as if someone else had cleared it."""
        with self._lock:
            self._log.clear()
            self._log_bytes.clear()

    def delete_oldest(self, count: int) -> None:
        """Drop the oldest records, as a full device that rotates its log does."""
        with self._lock:
            del self._log[:count]
            self._log_bytes = bytearray(b"".join(r.raw for r in self._log))

    def move_clock(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    # -- transport ---------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.add(conn)
            self._spawn(self._serve_tcp, "zksim-conn", conn)

    def _serve_tcp(self, conn: socket.socket) -> None:
        send_lock = threading.Lock()
        session_ids: list[int] = []

        tail = b"\r\n" if Quirk.TCP_JUNK in self.quirks else b""

        def send(payloads: list[bytes]) -> None:
            with send_lock:
                conn.sendall(b"".join(frame_tcp(p) + tail for p in payloads))

        def close() -> None:
            with self._lock:
                self._conns.discard(conn)
            _close_quietly(conn)

        deframer = TcpDeframer()
        conn.settimeout(30)  # stop() and reboot() shut the socket down, which wakes recv
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                for payload in deframer.feed(chunk):
                    self._handle(payload, send, close, session_ids)
        except (OSError, DriverError, _Dropped):
            pass
        finally:
            with self._lock:
                for sid in session_ids:
                    self._sessions.pop(sid, None)
            close()

    def _serve_udp(self) -> None:
        assert self._sock is not None
        sock = self._sock
        while not self._stop.is_set():
            try:
                datagram, addr = sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return

            def send(payloads: list[bytes], addr: tuple[str, int] = addr) -> None:
                for p in payloads:
                    sock.sendto(p, addr)

            try:
                self._handle(datagram, send, lambda: None, [])
            except (DriverError, _Dropped, OSError):
                continue

    # -- protocol ----------------------------------------------------------------------------
    def _handle(
        self,
        payload: bytes,
        send: Callable[[list[bytes]], None],
        close: Callable[[], None],
        session_ids: list[int],
    ) -> None:
        req = parse_packet(payload, verify=False)  # devices in the field ignore them
        with self._lock:
            if self.strict and checksum_form(payload) is not self.checksum_variant:
                self.rejected_requests += 1
                log.info("request dropped for its checksum command=%d", req.command)
                return
            self._commands.append(req.command)
            if self._drop_after is not None:
                if self._drop_after <= 0:
                    self._drop_after = None
                    self._sessions.pop(req.session_id, None)
                    close()
                    raise _Dropped
                self._drop_after -= 1
            delay = self._delay
        if req.command == Cmd.ACK_OK:
            return  # a client acknowledging a realtime event: no answer
        replies = self._dispatch(req.command, req.session_id, req.reply_id, req.data, send)
        if req.command == Cmd.CONNECT and replies:
            session_ids.append(parse_packet(replies[0], verify=False).session_id)
        if delay > 0 and self._stop.wait(delay):
            return
        send(self._mangle(replies))
        if req.command == Cmd.EXIT:
            with self._lock:
                self._sessions.pop(req.session_id, None)
            if not self.udp:
                close()
        elif req.command == Cmd.RESTART:
            self.reboot()

    def _mangle(self, replies: list[bytes]) -> list[bytes]:
        out = []
        with self._lock:
            for p in replies:
                if self._truncate > 0:
                    self._truncate -= 1
                    pkt = parse_packet(p, verify=False)
                    p = self._packet(
                        pkt.command, pkt.session_id, pkt.reply_id, pkt.data[: len(pkt.data) // 2]
                    )
                if self._corrupt > 0:
                    self._corrupt -= 1
                    p = p[:3] + bytes((p[3] ^ 0x01,)) + p[4:]  # 256 off: neither form
                out.append(p)
        return out

    def _dispatch(
        self,
        command: int,
        session_id: int,
        reply_id: int,
        data: bytes,
        send: Callable[[list[bytes]], None],
    ) -> list[bytes]:
        if Quirk.FOREIGN_REPLY_IDS in self.quirks:
            reply_id = (reply_id + 0x4000) & 0xFFFF

        def reply(code: int, body: bytes = b"", sid: int = session_id) -> list[bytes]:
            return [self._packet(code, sid, reply_id, body)]

        with self._lock:
            if command == Cmd.CONNECT:
                self._next_session = (self._next_session + 1) & 0xFFFF or 1
                sid = self._next_session
                self._sessions[sid] = _Session(sid, send, authed=self.comm_key == 0)
                return reply(Cmd.ACK_OK if self.comm_key == 0 else Cmd.ACK_UNAUTH, sid=sid)
            session = self._sessions.get(session_id)
            if session is None:
                return reply(Cmd.ACK_UNAUTH)
            session.send = send
            if command == Cmd.AUTH:
                session.authed = check_commkey(data, self.comm_key, session_id)
                return reply(Cmd.ACK_OK if session.authed else Cmd.ACK_UNAUTH)
            if not session.authed:
                return reply(Cmd.ACK_UNAUTH)
            return self._session_command(session, command, data, reply, reply_id)

    def _session_command(
        self,
        session: _Session,
        command: int,
        data: bytes,
        reply: Callable[..., list[bytes]],
        reply_id: int,
    ) -> list[bytes]:
        ok = Cmd.ACK_OK
        if command in _OPTIONAL and Quirk.REFUSE_OPTIONAL in self.quirks:
            return reply(Cmd.ACK_UNKNOWN)
        match command:
            case Cmd.EXIT | Cmd.REFRESHDATA | Cmd.CANCELCAPTURE | Cmd.STARTVERIFY | Cmd.RESTART:
                return reply(ok)
            case Cmd.ACK_ERROR | Cmd.ACK_UNKNOWN:
                return reply(ok)
            case Cmd.ENABLEDEVICE | Cmd.DISABLEDEVICE:
                self._disabled = command == Cmd.DISABLEDEVICE
                return reply(ok)
            case Cmd.GET_VERSION:
                return reply(ok, self.firmware.encode() + b"\x00")
            case Cmd.OPTIONS_RRQ:
                value = self._option(parse_cstring(data))
                if value is None:
                    return reply(Cmd.ACK_ERROR)
                if Quirk.BARE_OPTIONS in self.quirks:
                    return reply(ok, value.encode() + b"\x00")
                return reply(ok, encode_option_reply(parse_cstring(data), value))
            case Cmd.OPTIONS_WRQ:
                name, value = parse_option_write(data)
                self._options[name] = value
                return reply(ok)
            case Cmd.GET_FREE_SIZES:
                return reply(ok, encode_free_sizes(self._free_sizes()))
            case Cmd.GET_PINWIDTH:
                return reply(ok, bytes((9,)))
            case Cmd.GET_TIME:
                return reply(ok, encode_packed_time(self.device_time()))
            case Cmd.SET_TIME:
                wanted = decode_packed_time(data[:4])
                self._offset += wanted - self.device_time()
                return reply(ok)
            case Cmd.USER_WRQ:
                return self._write_user(data, reply)
            case Cmd.DELETE_USER:
                uid = int.from_bytes(data[:2], "little") if len(data) >= 2 else 0
                self._users.pop(uid, None)
                return reply(ok)
            case Cmd.CLEAR_ATTLOG:
                self.clear_log()
                return reply(ok)
            case Cmd.CLEAR_DATA:
                what = data[0] if data else 0
                if what in (0, 1):
                    self.clear_log()
                if what in (0, 5):
                    self._users.clear()
                return reply(ok)
            case Cmd.REG_EVENT:
                session.events = parse_u32(data, "REG_EVENT mask")
                return reply(ok)
            case Cmd.PREPARE_BUFFER:
                return self._prepare_buffer(session, data, reply)
            case Cmd.READ_BUFFER:
                return self._read_buffer(session, data, reply, reply_id)
            case Cmd.FREE_DATA:
                session.buffer = None
                return reply(ok)
            case _:
                return reply(Cmd.ACK_UNKNOWN)

    def _option(self, name: str) -> str | None:
        known = {
            "~SerialNumber": self.serial,
            "~DeviceName": self.device_name,
            "~Platform": self.platform,
            "~OEMVendor": "ZKTeco Inc.",
            "~ZKFPVersion": "10",
            "~PIN2Width": "9",
            "~ExtendFmt": "1" if self.record_size == 40 else "0",
            "ZKFaceVersion": "7",
            "~UserExtFmt": "1" if self.user_record_size == 72 else "0",
            "MAC": "00:17:61:00:00:01",
            "IPAddress": self.host,
            "NetMask": "255.255.255.0",
            "GATEIPAddress": "0.0.0.0",  # noqa: S104 - a reported option, not a bind
            "FaceFunOn": "0",
            "CompatOldFirmware": "0",
            "WorkCode": "0",
        }
        if self.firmware_variant == 8:  # an old fingerprint-only terminal
            for key in ("~ExtendFmt", "ZKFaceVersion", "~UserExtFmt"):
                known.pop(key)
        return self._options.get(name, known.get(name))

    def _free_sizes(self) -> FreeSizes:
        return FreeSizes(
            users=len(self._users),
            records=max(0, len(self._log) - (Quirk.STALE_COUNT in self.quirks)),
            admins=sum(1 for u in self._users.values() if u.privilege),
            fingers_cap=3000,
            users_cap=10_000,
            records_cap=max(200_000, len(self._log)),
        )

    def _write_user(self, data: bytes, reply: Callable[..., list[bytes]]) -> list[bytes]:
        size = 28 if len(data) < 72 else 72
        user = decode_user(data[:size].ljust(size, b"\x00"))
        if user.uid == 0:
            return reply(Cmd.ACK_ERROR)
        self._users[user.uid] = user
        return reply(Cmd.ACK_OK)

    def _prepare_buffer(
        self, session: _Session, data: bytes, reply: Callable[..., list[bytes]]
    ) -> list[bytes]:
        req = parse_prepare_buffer(data)
        if req.subcommand == Cmd.ATTLOG_RRQ:
            dataset = build_dataset(bytes(self._log_bytes))
        elif req.subcommand == Cmd.USERTEMP_RRQ and req.fct == FCT_USER:
            users = b"".join(
                encode_user(self._users[k], self.user_record_size) for k in sorted(self._users)
            )
            dataset = build_dataset(users)
        elif req.subcommand == Cmd.USERTEMP_RRQ:
            dataset = build_dataset(b"")
        else:
            return reply(Cmd.ACK_ERROR)
        if len(dataset) <= INLINE_DATASET_LIMIT:
            return reply(Cmd.DATA, dataset)
        session.buffer = dataset
        return reply(Cmd.ACK_OK, encode_data_stat(len(dataset)))

    def _read_buffer(
        self,
        session: _Session,
        data: bytes,
        reply: Callable[..., list[bytes]],
        reply_id: int,
    ) -> list[bytes]:
        start, size = parse_read_chunk(data)
        buf = session.buffer
        limit = 16 * 1024 if self.udp else MAX_CHUNK_TCP
        if buf is None or start >= len(buf) or size > limit:
            return reply(Cmd.ACK_ERROR)
        chunk = buf[start : start + size]
        if Quirk.LONG_CHUNKS in self.quirks:
            chunk += b"\x00\x00\x00\x00"
        sid = session.session_id
        out = [self._packet(Cmd.PREPARE_DATA, sid, reply_id, encode_prepare_data(len(chunk)))]
        if self.udp:
            for i in range(0, len(chunk), UDP_DATA_SIZE):
                out.append(self._packet(Cmd.DATA, sid, reply_id, chunk[i : i + UDP_DATA_SIZE]))
        else:
            out.append(self._packet(Cmd.DATA, sid, reply_id, chunk))
        out.append(self._packet(Cmd.ACK_OK, sid, reply_id))
        return out

    def _packet(self, command: int, session_id: int, reply_id: int, data: bytes = b"") -> bytes:
        return build_packet(command, session_id, reply_id, data, self.checksum_variant)


def _close_quietly(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()
