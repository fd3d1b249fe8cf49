"""``ZKTecoDriver``: the shiftgate driver for ZKTeco terminals (binary protocol, port 4370)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drivers.base import Anomaly, AnomalyKind, Capability, Driver, DurableProof, ReadResult
from drivers.errors import AuthRejected, DriverConfigError, DriverError, ProtocolViolation
from drivers.localtime import attach_zone
from drivers.punch import DeviceInfo, DeviceUser, Punch
from drivers.zkteco.bulk import punches_from_log
from drivers.zkteco.client import Endpoint, Note, ZKClient
from drivers.zkteco.codec import (
    MAX_CHUNK_TCP,
    ChecksumForm,
    Cmd,
    EventFlag,
    dataset_view,
    split_dataset,
)
from drivers.zkteco.codes import map_state, map_verify
from drivers.zkteco.cursor import TAIL_RECORDS, LogCursor, find_resume_index
from drivers.zkteco.records import (
    ATTENDANCE_SIZES,
    USER_SIZES,
    UserRecord,
    decode_event,
    decode_user,
    encode_user,
    infer_record_size,
    iter_records,
    record_size,
)

log = logging.getLogger(__name__)

SOURCE = "zkteco"
_DATASET_PREFIX = 4


def machine_zone() -> str:
    """The IANA name of this machine's zone (``TZ``, then /etc/localtime, then UTC)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


class ZKTecoConfig(BaseModel):
    """How to reach one ZKTeco terminal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(4370, ge=1, le=65535)
    udp: bool = False
    comm_key: int = Field(0, ge=0, le=0xFFFFFFFF, description="the device's COMM key (0 = none)")
    timeout: float = Field(10.0, gt=0, le=600, description="seconds per reply")
    timezone: str = Field(default_factory=machine_zone, description="IANA zone of the device clock")
    chunk_size: int = Field(MAX_CHUNK_TCP, ge=1024, le=MAX_CHUNK_TCP, description="bytes per read")
    retries: int = Field(3, ge=1, le=10, description="attempts for a corrupt or truncated reply")
    checksum: ChecksumForm = Field(
        ChecksumForm.ONES,
        description="checksum form of our requests: ones (the protocol manual's) or pyzk "
        "(one less, for a device that refuses ours); replies of either form are accepted",
    )
    disable_during_reads: bool = True
    reconnect_delay_s: float = Field(2.0, ge=0, le=300)
    live_reconnects: int = Field(
        3, ge=0, le=100, description="failed reconnects in a row before live gives up and raises"
    )
    live_heartbeat_s: float = Field(30.0, gt=0, le=3600)
    serial: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="serial to use when the device reports none (what the device reports wins)",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from exc
        return value


@dataclass(frozen=True, slots=True)
class _Fetched:
    new: memoryview  # the bytes of the records not delivered yet
    tail: list[bytes]  # the last records of the log (up to TAIL_RECORDS)
    record_size: int
    total: int  # records in the log as read


class LogNotCovered(DriverError):
    """clear_log was refused: the proof does not cover every record on the device."""


class ZKTecoDriver(Driver):
    family: ClassVar[str] = "zkteco"
    description: ClassVar[str] = "ZKTeco terminals, binary protocol on TCP/UDP 4370"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PULL, Capability.LIVE, Capability.CLOCK, Capability.USERS, Capability.CLEAR_LOG}
    )
    config_model: ClassVar[type[BaseModel]] = ZKTecoConfig
    anomalies: ClassVar[frozenset[Anomaly]] = frozenset(
        Anomaly(AnomalyKind.CHECKSUM, d)
        for d in (Note.PYZK, Note.NEITHER_RETRIED, Note.NEITHER_ACCEPTED)
    )

    def __init__(self, config: BaseModel, *, clock: Callable[[], datetime] | None = None) -> None:
        if not isinstance(config, ZKTecoConfig):
            raise DriverConfigError(
                f"ZKTecoDriver needs a ZKTecoConfig, got {type(config).__name__}"
            )
        super().__init__(config)
        self.cfg = config
        self.zone = ZoneInfo(config.timezone)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._serial: str | None = None
        # the cursor after this driver's last read of the log, for live catch-up
        self._last_read: str | None = None

    @property
    def endpoint(self) -> Endpoint:
        c = self.cfg
        return Endpoint(c.host, c.port, c.udp, c.timeout, c.comm_key, c.retries, c.checksum)

    def _client(self) -> ZKClient:
        return ZKClient(self.endpoint, self.note_anomaly)

    @contextmanager
    def _session(self, *, disable: bool = False) -> Iterator[ZKClient]:
        client = self._client()
        client.connect()
        try:
            self._learn_serial(client)
            if disable:
                with self._disabled(client):
                    yield client
            else:
                yield client
        finally:
            client.close()

    @contextmanager
    def _disabled(self, client: ZKClient) -> Iterator[None]:
        """Keep the keypad locked while reading, if configured, so the log holds still."""
        if not self.cfg.disable_during_reads:
            yield
            return
        client.disable()
        try:
            yield
        finally:
            if client.connected:
                client.enable()

    def _learn_serial(self, client: ZKClient) -> None:
        """Take the serial the device reports, else the configured one; never the address,
        which changes with DHCP and would change every punch id."""
        if self._serial is not None:
            return
        reported = (client.option("~SerialNumber") or "").strip()
        if reported:
            self._serial = reported
        elif self.cfg.serial:
            log.info("device reports no serial device=%s using=%s", self.endpoint, self.cfg.serial)
            self._serial = self.cfg.serial
        else:
            raise DriverConfigError(
                f"device {self.cfg.host}:{self.cfg.port} reports no serial number; set `serial` "
                "in its driver settings (the number on the device label, or any name that stays "
                "fixed: punch ids are built from it; in config/devices.yaml the device's serial "
                "is passed on)"
            )

    @property
    def serial(self) -> str:
        if self._serial is None:
            with self._session():
                pass
        if self._serial is None:  # _session learns it or raises; guard against a refactor
            raise ProtocolViolation(f"device {self.cfg.host}:{self.cfg.port} gave no serial")
        return self._serial

    # -- info and clock ----------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        with self._session() as c:
            sizes = c.free_sizes()
            return DeviceInfo(
                serial_number=self.serial,
                family=self.family,
                brand=c.option("~OEMVendor") or "ZKTeco",
                name=c.option("~DeviceName") or "",
                firmware=c.version(),
                platform=c.option("~Platform") or "",
                user_count=sizes.users,
                user_capacity=sizes.users_cap or None,
                record_count=sizes.records,
                record_capacity=sizes.records_cap or None,
                clock=attach_zone(c.get_time(), self.zone),
            )

    def get_clock(self) -> datetime:
        with self._session() as c:
            return attach_zone(c.get_time(), self.zone)

    def set_clock(self, value: datetime) -> None:
        if value.tzinfo is None or value.utcoffset() is None:
            raise DriverConfigError(f"set_clock needs an aware datetime, got naive {value}")
        wall = value.astimezone(self.zone).replace(tzinfo=None, microsecond=0)
        with self._session() as c:
            c.set_time(wall)
        log.info("clock set device=%s wall=%s", self.endpoint, wall.isoformat())

    # -- punches -----------------------------------------------------------------------------
    def _punch(
        self,
        user_id: str,
        wall: datetime,
        state: int,
        verify: int,
        raw: bytes,
        offset: float | None,
    ) -> Punch:
        return Punch(
            device_sn=self._serial or self.serial,
            device_user=user_id,
            local=attach_zone(wall, self.zone),
            state=map_state(state),
            verify_mode=map_verify(verify),
            source=SOURCE,
            raw=raw.hex(),
            clock_offset_s=offset,
        )

    def _clock_offset(self, c: ZKClient) -> float:
        device = attach_zone(c.get_time(), self.zone)
        return round((device - self._clock()).total_seconds(), 1)

    def read_punches(self, since: str | None = None) -> ReadResult:
        """Records appended since ``since``; a cleared or rotated log is detected by the tail."""
        with self._session(disable=True) as c:
            result = self._read_after(c, LogCursor.decode(since), self._clock_offset(c))
        self._last_read = result.cursor
        return result

    def _read_after(self, c: ZKClient, cursor: LogCursor, offset: float | None) -> ReadResult:
        count = c.free_sizes().records
        if count == 0:
            if cursor.delivered:
                log.warning(
                    "log emptied by someone else device=%s had=%d", self.serial, cursor.delivered
                )
            return ReadResult([], LogCursor().encode())
        fetched = self._fetch_log(c, cursor, count)
        # 8-byte records carry only the internal slot: the user table names them.
        uid_map = self._uid_map(c) if fetched.record_size == 8 else None
        punches = punches_from_log(
            fetched.new,
            fetched.record_size,
            device_sn=self._serial or self.serial,
            zone=self.zone,
            source=SOURCE,
            clock_offset_s=offset,
            uid_to_user=uid_map,
        )
        log.info("pulled device=%s new=%d total=%d", self.serial, len(punches), fetched.total)
        after = LogCursor.after(fetched.tail, fetched.total, fetched.record_size)
        return ReadResult(punches, after.encode())

    def _uid_map(self, c: ZKClient) -> dict[int, str]:
        return {u.uid: u.user_id for u in self._user_records(c)}

    def _fetch_log(self, c: ZKClient, cursor: LogCursor, count: int) -> _Fetched:
        """Read the undelivered part of the log (all of it when the log changed)."""
        size, inline = c.prepare_buffer(Cmd.ATTLOG_RRQ)
        try:
            rs = infer_record_size(
                size - _DATASET_PREFIX,
                count,
                ATTENDANCE_SIZES,
                f"attendance log of {self.endpoint}",
            )

            def fetch(start: int) -> memoryview:
                if inline is not None:
                    return memoryview(inline)[start:size]
                return memoryview(c.read_range(start, size, self.cfg.chunk_size))

            def tail(view: memoryview) -> list[bytes]:
                n = min(TAIL_RECORDS, len(view) // rs)
                end = len(view) - len(view) % rs
                return [bytes(view[end - (i + 1) * rs : end - i * rs]) for i in reversed(range(n))]

            available = (size - _DATASET_PREFIX) // rs  # what the buffer holds: the truth
            if cursor.delivered and available >= cursor.delivered and cursor.record_size == rs:
                view = fetch(_DATASET_PREFIX + cursor.tail_start * rs)
                k = len(cursor.tail)
                if tuple(iter_records(view[: k * rs], rs)) == cursor.tail:
                    total = cursor.tail_start + len(view) // rs
                    if total != count:
                        c.note(AnomalyKind.PROTOCOL, Note.COUNT_MISMATCH, f"{count} vs {total}")
                    return _Fetched(view[k * rs :], tail(view), rs, total)
                log.warning("log rewritten by someone else device=%s; re-reading", self.serial)
            elif cursor.delivered:
                log.warning(
                    "log shrank or changed layout device=%s had=%d now=%d; re-reading",
                    self.serial,
                    cursor.delivered,
                    available,
                )
            view = dataset_view(fetch(0))
            total = len(view) // rs
            if total != count:  # the log as sent is the truth (a truncated one raised above)
                c.note(AnomalyKind.PROTOCOL, Note.COUNT_MISMATCH, f"{count} vs {total}")
            if cursor.tail:  # a changed log: find where the delivered records end
                start = find_resume_index(list(iter_records(view, rs)), cursor)
            else:
                start = 0 if cursor.delivered == 0 or total < cursor.delivered else cursor.delivered
            return _Fetched(view[start * rs :], tail(view), rs, total)
        finally:
            if inline is None and c.connected:
                c.free_buffer()

    # -- users -------------------------------------------------------------------------------
    def _user_records(self, c: ZKClient) -> list[UserRecord]:
        return self._user_records_sized(c)[0]

    def _user_records_sized(self, c: ZKClient) -> tuple[list[UserRecord], int]:
        count = c.free_sizes().users
        if count == 0:
            return [], (28 if self.cfg.udp else 72)
        data = split_dataset(c.read_users_dataset())
        size = record_size(len(data), count, USER_SIZES, f"user table of {self.endpoint}")
        return [decode_user(r) for r in iter_records(data, size)], size

    def list_users(self) -> list[DeviceUser]:
        with self._session() as c:
            return [
                DeviceUser(
                    user_id=u.user_id,
                    name=u.name,
                    card=str(u.card) if u.card else None,
                    privilege=u.privilege,
                    password=u.password or None,
                    group=u.group or None,
                    slot=u.uid,
                )
                for u in self._user_records(c)
            ]

    def upsert_user(self, user: DeviceUser) -> None:
        card = 0
        if user.card:
            if not user.card.isdigit() or int(user.card) > 0xFFFFFFFF:
                raise DriverConfigError(
                    f"user {user.user_id!r}: card {user.card!r} must be a number below 2^32"
                )
            card = int(user.card)
        with self._session() as c:
            existing, size = self._user_records_sized(c)
            slot = next((u.uid for u in existing if u.user_id == user.user_id), None)
            if slot is None:
                used = {u.uid for u in existing}
                slot = (
                    user.slot if user.slot and user.slot not in used else max(used, default=0) + 1
                )
            record = UserRecord(
                uid=slot,
                user_id=user.user_id,
                name=user.name,
                privilege=user.privilege,
                password=user.password or "",
                card=card,
                group=user.group or "",
            )
            try:
                payload = encode_user(record, size)
            except ValueError as exc:
                raise DriverConfigError(
                    f"user {user.user_id!r} does not fit device {self.endpoint}: {exc}"
                ) from exc
            c.command(Cmd.USER_WRQ, payload)
            c.refresh()
        log.info("user written device=%s user=%s slot=%d", self.serial, user.user_id, slot)

    def delete_user(self, user_id: str) -> None:
        """Remove a user; a user the device does not have is already deleted."""
        with self._session() as c:
            slot = next((u.uid for u in self._user_records(c) if u.user_id == user_id), None)
            if slot is None:
                log.info("user absent device=%s user=%s", self.serial, user_id)
                return
            c.command(Cmd.DELETE_USER, slot.to_bytes(2, "little"))
            c.refresh()
        log.info("user deleted device=%s user=%s slot=%d", self.serial, user_id, slot)

    # -- clear -------------------------------------------------------------------------------
    def clear_log(self, proof: DurableProof) -> None:
        """Clear the device log, only if ``proof`` covers every record it holds right now."""
        cursor = LogCursor.decode(proof.cursor)
        if proof.stored_count < cursor.delivered:
            raise LogNotCovered(
                f"refusing to clear {self.endpoint}: proof stores {proof.stored_count} punches "
                f"but its cursor covers {cursor.delivered}"
            )
        with self._session(disable=True) as c:
            count = c.free_sizes().records
            if count != cursor.delivered:
                raise LogNotCovered(
                    f"refusing to clear {self.endpoint}: it holds {count} records, the proof "
                    f"covers {cursor.delivered}; pull and store the new punches first"
                )
            if count:
                if self._fetch_log(c, cursor, count).new:
                    raise LogNotCovered(
                        f"refusing to clear {self.endpoint}: its log is not the one the proof "
                        "covers; pull and store first"
                    )
            c.command(Cmd.CLEAR_ATTLOG)
            c.refresh()
        if self._last_read is not None:
            self._last_read = LogCursor().encode()
        log.warning("log cleared device=%s records=%d", self.serial, cursor.delivered)

    # -- live --------------------------------------------------------------------------------
    def live_punches(self, stop: threading.Event) -> Iterator[Punch]:
        """Punches as they happen until ``stop`` is set.

        After a drop it reconnects (``live_reconnects`` failed attempts in a row, then the
        error is raised so the caller's backoff takes over). Once this driver has read the log
        (:meth:`read_punches`), every (re)subscription first yields what the log gained since
        that read, read on the live connection after events are on: a punch made between the
        read and the subscription, or while disconnected, is not left for the next read. A
        punch made during that catch-up can come both ways; punch ids make the copies one.
        """
        client: ZKClient | None = None
        failures = 0
        idle_since = time.monotonic()
        try:
            while not stop.is_set():
                try:
                    if client is None:
                        client = self._live_client()
                        yield from self._catch_up(client)
                        idle_since = time.monotonic()
                        if failures:
                            log.info("live recovered device=%s", self.endpoint)
                        failures = 0
                    pkt = client.next_event(timeout=0.5)
                    if pkt is None:
                        if time.monotonic() - idle_since > self.cfg.live_heartbeat_s:
                            client.get_time()
                            idle_since = time.monotonic()
                        continue
                    idle_since = time.monotonic()
                    if pkt.session_id != EventFlag.ATTLOG:
                        continue
                    try:
                        ev = decode_event(pkt.data)
                    except ProtocolViolation as exc:
                        # the record is in the log too: the next read (or resync) delivers it
                        client.note(AnomalyKind.PROTOCOL, Note.EVENT_LAYOUT, str(exc))
                        continue
                    yield self._punch(ev.user_id, ev.time, ev.state, ev.verify, ev.raw, None)
                except AuthRejected:
                    raise
                except DriverError as exc:
                    if client is not None:
                        client.close()
                    client = None
                    failures += 1
                    if failures > self.cfg.live_reconnects:
                        raise
                    if failures == 1:
                        log.warning("live unavailable device=%s error=%s", self.endpoint, exc)
                    stop.wait(self.cfg.reconnect_delay_s)
        finally:
            if client is not None:
                try:
                    client.register_events(0)
                except DriverError:
                    pass
                client.close()

    def _catch_up(self, c: ZKClient) -> list[Punch]:
        """The log's records since the last read, on a connection already taking events."""
        if self._last_read is None:
            return []
        with self._disabled(c):
            result = self._read_after(c, LogCursor.decode(self._last_read), None)
        self._last_read = result.cursor
        return result.punches

    def _live_client(self) -> ZKClient:
        client = self._client()
        client.connect()
        try:
            self._learn_serial(client)
            client.enable()  # a read that broke may have left it disabled
            client.register_events(int(EventFlag.ATTLOG))
        except BaseException:
            client.close()
            raise
        return client
