"""A blocking ZKTeco protocol client over TCP or UDP (one session per instance).

Every socket call has a timeout. Socket errors become :class:`DeviceUnreachable` naming
host:port; replies that cannot be read become :class:`ProtocolViolation`. Idempotent
requests whose reply is truncated are sent again (``retries`` times) before the violation is
raised.

Accept what the open-source clients accept, count what looks wrong, refuse only what cannot
be read: replies carry either checksum form (:class:`ChecksumForm`); a checksum of neither
form is accepted on TCP (which checks its own) and asked again on UDP, then accepted; a reply
id we never sent is taken as the answer (pyzk ignores reply ids); realtime events are known
by their command whatever their reply id; junk between TCP frames is skipped. Each such
deviation goes to the ``notes`` sink and is logged once per connection.
"""

from __future__ import annotations

import logging
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from drivers.base import Anomaly, AnomalyKind, AnomalySink
from drivers.errors import AuthRejected, DeviceUnreachable, DriverError, ProtocolViolation
from drivers.zkteco.codec import (
    FCT_USER,
    INITIAL_REPLY_ID,
    MAX_CHUNK_TCP,
    MAX_CHUNK_UDP,
    ChecksumForm,
    Cmd,
    EventFlag,
    FreeSizes,
    Packet,
    TcpDeframer,
    build_packet,
    checksum_form,
    encode_option_request,
    encode_prepare_buffer,
    encode_read_chunk,
    encode_u32,
    frame_tcp,
    make_commkey,
    next_reply_id,
    parse_cstring,
    parse_data_stat,
    parse_free_sizes,
    parse_option_reply,
    parse_packet,
    parse_prepare_data,
    split_dataset,
)
from drivers.zkteco.timecodec import decode_packed_time, encode_packed_time

log = logging.getLogger(__name__)

T = TypeVar("T")
_SUCCESS = (Cmd.ACK_OK, Cmd.DATA, Cmd.PREPARE_DATA)


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    udp: bool = False
    timeout: float = 10.0
    comm_key: int = 0
    retries: int = 3
    checksum: ChecksumForm = ChecksumForm.ONES  # the form our requests carry

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class ChecksumMismatch(ProtocolViolation):
    """A UDP reply's checksum is of neither form (it is asked again)."""


class Note:
    """The ``detail`` codes of the anomalies this client reports."""

    PYZK = "pyzk"  # a reply in pyzk's checksum form
    NEITHER_RETRIED = "neither_retried"  # neither form, asked again (UDP)
    NEITHER_ACCEPTED = "neither_accepted"  # neither form, accepted (TCP, or UDP at last try)
    FOREIGN_REPLY_ID = "foreign_reply_id"  # a reply id we never sent, taken as the answer
    EVENT_REPLY_ID = "event_reply_id"  # a realtime event with a reply id other than 0
    TCP_JUNK = "tcp_junk"  # bytes between TCP frames, skipped
    CHUNK_SIZE = "chunk_size"  # a chunk announced or sent with another size than asked
    OPTION_FORMAT = "option_format"  # an option reply without "Name="
    EVENT_LAYOUT = "event_layout"  # a realtime event of an unknown layout, skipped
    REFUSED = "refused"  # an optional command refused (e.g. refused_disabledevice)
    COUNT_MISMATCH = "count_mismatch"  # GET_FREE_SIZES counted other records than were sent


class CommandRejected(ProtocolViolation):
    """The device answered a request with an error code."""

    def __init__(self, endpoint: Endpoint, command: int, code: int) -> None:
        self.command = command
        self.code = code
        super().__init__(
            f"device {endpoint} answered {_name(code)} to {_name(command)}; "
            "the device does not support it or refused it"
        )


def _name(code: int) -> str:
    try:
        return Cmd(code).name
    except ValueError:
        return str(code)


class ZKClient:
    """One protocol session. Use as a context manager or call :meth:`connect`/:meth:`close`."""

    def __init__(self, endpoint: Endpoint, notes: AnomalySink | None = None) -> None:
        self.endpoint = endpoint
        self._notes = notes
        self._noted: set[str] = set()
        self._sent: deque[int] = deque(maxlen=32)  # reply ids of our recent requests
        self._last_attempt = True  # outside a retry loop nothing is asked again
        self._sock: socket.socket | None = None
        self._deframer = TcpDeframer()
        self._inbox: deque[bytes] = deque()
        self._events: deque[Packet] = deque()
        self._session_id = 0
        self._reply_id = INITIAL_REPLY_ID

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self) -> None:
        ep = self.endpoint
        self.close()
        try:
            if ep.udp:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.settimeout(ep.timeout)
                sock.connect((ep.host, ep.port))
            else:
                sock = socket.create_connection((ep.host, ep.port), timeout=ep.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            raise DeviceUnreachable(ep.host, ep.port, f"cannot connect: {exc}") from exc
        self._sock = sock
        self._deframer = TcpDeframer()
        self._inbox.clear()
        self._events.clear()
        self._session_id = 0
        self._reply_id = INITIAL_REPLY_ID
        self._noted.clear()
        self._sent.clear()
        try:
            reply = self._exchange(Cmd.CONNECT, b"", retry=True)
            self._session_id = reply.session_id
            if reply.command == Cmd.ACK_UNAUTH:
                proof = make_commkey(ep.comm_key, self._session_id)
                reply = self._exchange(Cmd.AUTH, proof, retry=True)
                if reply.command == Cmd.ACK_UNAUTH:
                    raise AuthRejected(
                        f"device {ep} rejected the comm key "
                        f"({'none set' if ep.comm_key == 0 else 'the configured one'}); "
                        "set comm_key to the device's COMM key (Menu > Comm. > Comm Key)"
                    )
            if reply.command not in _SUCCESS:
                raise CommandRejected(ep, Cmd.CONNECT, reply.command)
        except BaseException:
            self._drop()
            raise
        log.debug("connected device=%s session=%d", ep, self._session_id)

    def close(self) -> None:
        """Say goodbye (best effort) and close the socket. Safe to call twice."""
        if self._sock is None:
            return
        try:
            self._send(Cmd.EXIT, b"")
        except DriverError:
            pass
        self._drop()

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> ZKClient:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- wire --------------------------------------------------------------------------------
    def _unreachable(self, reason: str, exc: BaseException | None = None) -> DeviceUnreachable:
        self._drop()
        return DeviceUnreachable(self.endpoint.host, self.endpoint.port, reason)

    def _send(self, command: int, data: bytes, reply_id: int | None = None) -> int:
        if self._sock is None:
            raise self._unreachable("not connected")
        if reply_id is None:
            self._reply_id = next_reply_id(self._reply_id)
            reply_id = self._reply_id
        payload = build_packet(command, self._session_id, reply_id, data, self.endpoint.checksum)
        self._sent.append(reply_id)
        try:
            if self.endpoint.udp:
                self._sock.send(payload)
            else:
                self._sock.sendall(frame_tcp(payload))
        except OSError as exc:
            raise self._unreachable(f"send failed: {exc}") from exc
        return reply_id

    def _recv_payload(self, timeout: float) -> bytes:
        """Next raw payload from the device (TCP frames split by their length header)."""
        if self._inbox:
            return self._inbox.popleft()
        sock = self._sock
        if sock is None:
            raise self._unreachable("not connected")
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            try:
                if self.endpoint.udp:
                    return sock.recv(65536)
                chunk = sock.recv(1 << 17)
            except TimeoutError:
                raise
            except OSError as exc:
                raise self._unreachable(f"connection lost: {exc}") from exc
            if not chunk:
                raise self._unreachable("device closed the connection")
            skipped = self._deframer.skipped
            frames = self._deframer.feed(chunk)
            if self._deframer.skipped != skipped:
                self.note(AnomalyKind.PROTOCOL, Note.TCP_JUNK, "TCP stream")
            if frames:
                self._inbox.extend(frames[1:])
                return frames[0]

    def note(self, kind: AnomalyKind, detail: str, what: str) -> None:
        """Count a tolerated deviation; log it the first time on this connection."""
        if detail not in self._noted:
            self._noted.add(detail)
            # pyzk's form is a known dialect and a count a little off is a punch made during
            # the read; everything else may be a fault worth a look
            level = logging.INFO if detail in (Note.PYZK, Note.COUNT_MISMATCH) else logging.WARNING
            log.log(
                level,
                "device deviates from the protocol device=%s kind=%s detail=%s what=%s "
                "(accepted; counted, logged once per connection)",
                self.endpoint,
                kind.value,
                detail,
                what,
            )
        if self._notes is not None:
            self._notes(Anomaly(kind, detail))

    def _checked(self, payload: bytes, head: Packet, what: str, *, event: bool = False) -> Packet:
        """``head`` once its checksum is judged: either form passes (pyzk's is counted); one of
        neither form is counted and accepted, except on UDP where it is first asked again."""
        form = checksum_form(payload)
        if form is ChecksumForm.ONES:
            return head
        if form is ChecksumForm.PYZK:
            self.note(AnomalyKind.CHECKSUM, Note.PYZK, what)
            return head
        if self.endpoint.udp and not event and not self._last_attempt:
            self.note(AnomalyKind.CHECKSUM, Note.NEITHER_RETRIED, what)
            raise ChecksumMismatch(
                f"device {self.endpoint}: reply to {what} has checksum 0x{head.checksum:04x} "
                "of neither form"
            )
        self.note(AnomalyKind.CHECKSUM, Note.NEITHER_ACCEPTED, what)
        return head

    def _recv_reply(self, reply_id: int, what: str) -> Packet:
        """The next packet answering ``reply_id``; realtime events are queued, stale replies
        (answers to an earlier attempt) skipped, a reply id we never sent taken as ours."""
        timeout = self.endpoint.timeout
        deadline = time.monotonic() + timeout
        while True:
            try:
                payload = self._recv_payload(max(0.0, deadline - time.monotonic()))
            except TimeoutError as exc:
                raise self._unreachable(f"no reply to {what} within {timeout:g}s") from exc
            head = parse_packet(payload, verify=False)
            if head.command == Cmd.REG_EVENT:  # a device never answers with this code
                self._events.append(self._event(payload, head))
                continue
            if head.reply_id != reply_id:
                if head.reply_id in self._sent:
                    log.debug(
                        "stale reply skipped device=%s reply=%d", self.endpoint, head.reply_id
                    )
                    continue
                self.note(AnomalyKind.PROTOCOL, Note.FOREIGN_REPLY_ID, what)
            return self._checked(payload, head, what)

    def _event(self, payload: bytes, head: Packet) -> Packet:
        if head.reply_id != 0:
            self.note(AnomalyKind.PROTOCOL, Note.EVENT_REPLY_ID, "realtime event")
        return self._checked(payload, head, "realtime event", event=True)

    def _exchange(self, command: int, data: bytes, *, retry: bool) -> Packet:
        def once() -> Packet:
            rid = self._send(command, data)
            return self._recv_reply(rid, _name(command))

        return self._retrying(once, _name(command)) if retry else once()

    def _retrying(self, attempt: Callable[[], T], what: str) -> T:
        last: ProtocolViolation | None = None
        outer = self._last_attempt
        try:
            for n in range(1, self.endpoint.retries + 1):
                self._last_attempt = n == self.endpoint.retries
                try:
                    return attempt()
                except CommandRejected:
                    raise
                except ProtocolViolation as exc:
                    last = exc
                    log.debug(
                        "retry device=%s what=%s attempt=%d error=%s", self.endpoint, what, n, exc
                    )
        finally:
            self._last_attempt = outer
        assert last is not None
        raise ProtocolViolation(
            f"device {self.endpoint}: {what} failed {self.endpoint.retries} times: {last}"
        ) from last

    def command(self, command: int, data: bytes = b"", *, retry: bool = True) -> Packet:
        """Send a request and return its successful reply, else :class:`CommandRejected`."""

        def attempt() -> Packet:
            reply = self._exchange(command, data, retry=False)
            if reply.command == Cmd.ACK_UNAUTH:
                raise self._unreachable(
                    f"device forgot our session (rebooted?) at {_name(command)}"
                )
            if reply.command not in _SUCCESS:
                raise CommandRejected(self.endpoint, command, reply.command)
            return reply

        return self._retrying(attempt, _name(command)) if retry else attempt()

    # -- commands ----------------------------------------------------------------------------
    def query(self, command: int, parse: Callable[[bytes], T], data: bytes = b"") -> T:
        """Send a request and parse its reply; a reply that does not parse is asked again."""
        return self._retrying(
            lambda: parse(self.command(command, data, retry=False).data), _name(command)
        )

    def option(self, name: str) -> str | None:
        """An option value (``~SerialNumber`` ...), ``None`` when the device does not know it."""

        def parse(data: bytes) -> str:
            if b"=" not in data.split(b"\x00", 1)[0]:
                self.note(AnomalyKind.PROTOCOL, Note.OPTION_FORMAT, name)
            return parse_option_reply(data)

        try:
            return self.query(Cmd.OPTIONS_RRQ, parse, encode_option_request(name))
        except CommandRejected:
            return None

    def version(self) -> str:
        return self.query(Cmd.GET_VERSION, parse_cstring)

    def free_sizes(self) -> FreeSizes:
        return self.query(Cmd.GET_FREE_SIZES, parse_free_sizes)

    def get_time(self) -> datetime:
        return self.query(Cmd.GET_TIME, lambda d: decode_packed_time(d[:4]))

    def set_time(self, wall: datetime) -> None:
        self.command(Cmd.SET_TIME, encode_packed_time(wall))

    def optional(self, command: int, data: bytes = b"") -> bool:
        """A request whose refusal does not stop the work (the clients go on without it):
        ``False``, counted and logged once, when the device refuses it."""
        try:
            self.command(command, data)
        except CommandRejected as exc:
            self.note(AnomalyKind.PROTOCOL, f"{Note.REFUSED}_{_name(command).lower()}", str(exc))
            return False
        return True

    def disable(self) -> bool:
        return self.optional(Cmd.DISABLEDEVICE)

    def enable(self) -> bool:
        return self.optional(Cmd.ENABLEDEVICE)

    def refresh(self) -> bool:
        return self.optional(Cmd.REFRESHDATA)

    def free_buffer(self) -> bool:
        return self.optional(Cmd.FREE_DATA)

    # -- buffered reads ----------------------------------------------------------------------
    def prepare_buffer(self, subcommand: int, fct: int = 0) -> tuple[int, bytes | None]:
        """Ask the device to buffer a dataset. Returns (size, inline data or None)."""
        return self._retrying(lambda: self._prepare_once(subcommand, fct), "PREPARE_BUFFER")

    def _prepare_once(self, subcommand: int, fct: int) -> tuple[int, bytes | None]:
        request = encode_prepare_buffer(subcommand, fct)
        reply = self.command(Cmd.PREPARE_BUFFER, request, retry=False)
        if reply.command == Cmd.DATA:  # small sets come inline
            split_dataset(reply.data)  # a truncated one is asked again
            return len(reply.data), reply.data
        return parse_data_stat(reply.data), None

    @property
    def max_chunk(self) -> int:
        return MAX_CHUNK_UDP if self.endpoint.udp else MAX_CHUNK_TCP

    def read_chunk(self, start: int, size: int) -> bytes:
        """``size`` bytes at ``start`` of the prepared buffer (one READ_BUFFER round)."""
        return self._retrying(lambda: self._read_chunk_once(start, size), f"chunk {start}+{size}")

    def _read_chunk_once(self, start: int, size: int) -> bytes:
        rid = self._send(Cmd.READ_BUFFER, encode_read_chunk(start, size))
        what = f"READ_BUFFER {start}+{size}"
        first = self._recv_reply(rid, what)
        if first.command == Cmd.DATA:  # some firmware answers a chunk directly
            data = first.data
        elif first.command == Cmd.PREPARE_DATA:
            announced = parse_prepare_data(first.data)
            parts: list[bytes] = []
            while True:
                pkt = self._recv_reply(rid, what)
                if pkt.command == Cmd.DATA:
                    parts.append(pkt.data)
                elif pkt.command == Cmd.ACK_OK:
                    break
                else:
                    raise ProtocolViolation(
                        f"device {self.endpoint} sent {_name(pkt.command)} inside a chunk"
                    )
            data = b"".join(parts)
            if announced != size:
                self.note(AnomalyKind.PROTOCOL, Note.CHUNK_SIZE, f"{what} announced {announced}")
        else:
            raise CommandRejected(self.endpoint, Cmd.READ_BUFFER, first.command)
        if len(data) < size:
            raise ProtocolViolation(
                f"device {self.endpoint} sent {len(data)} bytes for a {size}-byte chunk at {start}"
            )
        if len(data) > size:  # what was asked for is there: the rest is not ours
            self.note(AnomalyKind.PROTOCOL, Note.CHUNK_SIZE, f"{what} sent {len(data)}")
            data = data[:size]
        return data

    def read_range(self, start: int, end: int, chunk: int | None = None) -> bytearray:
        """Bytes ``start``..``end`` of the prepared buffer, chunk by chunk, into one buffer."""
        step = min(chunk or self.max_chunk, self.max_chunk)
        out = bytearray(max(0, end - start))
        pos = start
        while pos < end:
            n = min(step, end - pos)
            out[pos - start : pos - start + n] = self.read_chunk(pos, n)
            pos += n
        return out

    def read_dataset(
        self, subcommand: int, fct: int = 0, chunk: int | None = None
    ) -> bytes | bytearray:
        """A whole buffered dataset (u32 length + records)."""
        size, inline = self.prepare_buffer(subcommand, fct)
        if inline is not None:
            return inline
        try:
            return self.read_range(0, size, chunk)
        finally:
            if self.connected:
                self.free_buffer()

    def read_users_dataset(self) -> bytes | bytearray:
        return self.read_dataset(Cmd.USERTEMP_RRQ, FCT_USER)

    # -- realtime ----------------------------------------------------------------------------
    def register_events(self, mask: int = int(EventFlag.ATTLOG)) -> None:
        self.command(Cmd.REG_EVENT, encode_u32(mask))

    def next_event(self, timeout: float) -> Packet | None:
        """The next realtime event packet (acknowledged), or ``None`` after ``timeout``."""
        if not self._events:
            deadline = time.monotonic() + timeout
            while not self._events:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                try:
                    payload = self._recv_payload(remaining)
                except TimeoutError:
                    return None
                head = parse_packet(payload, verify=False)
                if head.command == Cmd.REG_EVENT:
                    self._events.append(self._event(payload, head))
        event = self._events.popleft()
        self._send(Cmd.ACK_OK, b"", reply_id=0)
        return event
