"""``IsapiDriver``: Hikvision access-control terminals over ISAPI (HTTP digest auth).

Pull: the event search (``POST /ISAPI/AccessControl/AcsEvent?format=json``) over a time
window written in the device's offset, paged by ``searchResultPosition`` with the device's
page cap (30 on real terminals, whatever is asked). The cursor keeps the last ``serialNo``
(the device's event number) and its time: the next read asks from a minute before that time
and keeps only higher serial numbers, so nothing is read twice; a jump in serial numbers is
logged as a gap. Pushed events (the terminal's HTTP listening host) are decoded by
:func:`drivers.isapi.codec.parse_notification` in the gateway.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from drivers.base import Capability, Driver, ReadResult
from drivers.errors import DriverConfigError, ProtocolViolation
from drivers.isapi.client import Endpoint, IsapiClient
from drivers.isapi.codec import (
    DEFAULT_PUNCH_MINORS,
    AcsEvent,
    SearchStatus,
    encode_device_time,
    encode_search,
    encode_user_delete,
    encode_user_record,
    encode_user_search,
    parse_device_info,
    parse_device_time,
    parse_search,
    parse_user_search,
    to_punch,
)
from drivers.punch import DeviceInfo, DeviceUser, Punch, VerifyMode

log = logging.getLogger(__name__)

EVENTS = "/ISAPI/AccessControl/AcsEvent"
#: how far before the cursor's last event the next search starts (clock steps, late events)
OVERLAP = timedelta(minutes=1)
MAX_PAGES = 10_000


class IsapiConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(80, ge=1, le=65535)
    scheme: str = Field("http", pattern="^https?$")
    user: str = Field("admin", min_length=1)
    password: SecretStr = Field(
        SecretStr(""), description="the device's ISAPI password (stored encrypted)"
    )
    timezone: str = Field("UTC", description="IANA zone of the device clock")
    timeout: float = Field(10.0, gt=0, le=600, description="seconds per request")
    page_size: int = Field(30, ge=1, le=1000, description="maxResults asked per page")
    first_read_days: int = Field(31, ge=1, le=3650, description="how far back a first read goes")
    extra_punch_minors: tuple[int, ...] = Field(
        (), description="more major-5 minors that are successful authentications on this model"
    )
    verify_tls: bool = True
    serial: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value


@dataclass(frozen=True, slots=True)
class EventCursor:
    serial_no: int | None = None
    time: datetime | None = None

    def encode(self) -> str:
        return json.dumps(
            {"serial_no": self.serial_no, "time": self.time.isoformat() if self.time else None}
        )

    @classmethod
    def decode(cls, text: str | None) -> EventCursor:
        if not text:
            return cls()
        try:
            doc = json.loads(text)
            when = datetime.fromisoformat(doc["time"]) if doc.get("time") else None
            serial = doc.get("serial_no")
            if serial is not None and not isinstance(serial, int):
                raise TypeError("serial_no")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise DriverConfigError(
                f"ISAPI cursor {text[:80]!r} is not one this driver wrote"
            ) from exc
        return cls(serial, when)


class IsapiDriver(Driver):
    family: ClassVar[str] = "isapi"
    description: ClassVar[str] = "Hikvision access-control terminals, ISAPI over HTTP(S)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PULL, Capability.PUSH, Capability.CLOCK, Capability.USERS}
    )
    config_model: ClassVar[type[BaseModel]] = IsapiConfig

    def __init__(self, config: BaseModel, *, clock: Callable[[], datetime] | None = None) -> None:
        if not isinstance(config, IsapiConfig):
            raise DriverConfigError(
                f"IsapiDriver needs an IsapiConfig, got {type(config).__name__}"
            )
        super().__init__(config)
        self.cfg = config
        self.zone = ZoneInfo(config.timezone)
        self._clock = clock or (lambda: datetime.now(UTC))
        c = config
        self.client = IsapiClient(
            Endpoint(
                c.host,
                c.port,
                c.user,
                c.password.get_secret_value(),
                c.scheme,
                c.timeout,
                c.verify_tls,
            )
        )
        self.minors: Mapping[int, VerifyMode] = {
            **DEFAULT_PUNCH_MINORS,
            **{m: VerifyMode.OTHER for m in c.extra_punch_minors if m not in DEFAULT_PUNCH_MINORS},
        }
        self._serial: str | None = None
        self.gaps = 0  # event numbers missing in the last read

    def close(self) -> None:
        self.client.close()

    # -- identity and clock ------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        d = parse_device_info(self.client.request("GET", "/ISAPI/System/deviceInfo"))
        self._serial = d.serial_number
        return DeviceInfo(
            serial_number=d.serial_number,
            family=self.family,
            brand="Hikvision",
            name=d.name,
            firmware=d.firmware,
            platform=d.model,
            clock=self.get_clock(),
        )

    @property
    def serial(self) -> str:
        if self._serial is None:
            if self.cfg.serial:
                self._serial = self.cfg.serial
            else:
                self.info()
        assert self._serial is not None
        return self._serial

    def get_clock(self) -> datetime:
        return parse_device_time(self.client.request("GET", "/ISAPI/System/time"), self.zone)

    def set_clock(self, value: datetime) -> None:
        if value.tzinfo is None or value.utcoffset() is None:
            raise DriverConfigError(f"set_clock needs an aware datetime, got naive {value}")
        self.client.request(
            "PUT", "/ISAPI/System/time", body=encode_device_time(value.astimezone(self.zone))
        )

    # -- events ------------------------------------------------------------------------------
    def search(self, start: datetime, end: datetime) -> list[AcsEvent]:
        """Every event between two instants, all pages."""
        events: list[AcsEvent] = []
        position = 0
        search_id = f"shiftgate-{int(self._clock().timestamp())}"
        for _ in range(MAX_PAGES):
            body = encode_search(
                search_id,
                position,
                self.cfg.page_size,
                start.astimezone(self.zone),
                end.astimezone(self.zone),
            )
            page = parse_search(
                self.client.request("POST", EVENTS, body=body, json_format=True), self.zone
            )
            events.extend(page.events)
            position += len(page.events)
            if page.status != SearchStatus.MORE or not page.events:
                return events
        raise ProtocolViolation(
            f"event search on {self.cfg.host} did not end after {MAX_PAGES} pages"
        )

    def read_punches(self, since: str | None = None) -> ReadResult:
        cursor = EventCursor.decode(since)
        now = self._clock()
        start = (
            cursor.time - OVERLAP if cursor.time else now - timedelta(days=self.cfg.first_read_days)
        )
        events = self.search(start, now + timedelta(days=1))
        events.sort(key=lambda e: (e.serial_no if e.serial_no is not None else -1, e.time))
        numbered = [e.serial_no for e in events if e.serial_no is not None]
        reset = cursor.serial_no is not None and numbered and max(numbered) < cursor.serial_no
        if reset:
            log.warning(
                "event numbers went back (device reset?) device=%s had=%s now=%s",
                self.serial,
                cursor.serial_no,
                max(numbered),
            )
        fresh = [
            e
            for e in events
            if reset
            or cursor.serial_no is None
            or e.serial_no is None
            or e.serial_no > cursor.serial_no
        ]
        self.gaps = _gaps(cursor.serial_no if not reset else None, fresh)
        if self.gaps:
            log.warning("event numbers missing device=%s missing=%d", self.serial, self.gaps)
        punches = [p for e in fresh if (p := self.punch_of(e)) is not None]
        last = fresh[-1] if fresh else None
        after = EventCursor(
            last.serial_no if last and last.serial_no is not None else cursor.serial_no,
            max((e.time for e in fresh), default=cursor.time),
        )
        if fresh:
            log.info("pulled device=%s events=%d punches=%d", self.serial, len(fresh), len(punches))
        return ReadResult(punches, after.encode())

    def punch_of(self, event: AcsEvent) -> Punch | None:
        return to_punch(event, device_sn=self.serial, zone=self.zone, minors=self.minors)

    # -- users -------------------------------------------------------------------------------
    def list_users(self) -> list[DeviceUser]:
        users: list[DeviceUser] = []
        for _ in range(MAX_PAGES):
            body = encode_user_search("shiftgate-users", len(users), self.cfg.page_size)
            status, page = parse_user_search(
                self.client.request(
                    "POST", "/ISAPI/AccessControl/UserInfo/Search", body=body, json_format=True
                )
            )
            users.extend(page)
            if status != SearchStatus.MORE or not page:
                return users
        raise ProtocolViolation(f"user search on {self.cfg.host} did not end")

    def upsert_user(self, user: DeviceUser) -> None:
        self.client.request(
            "PUT",
            "/ISAPI/AccessControl/UserInfo/SetUp",
            body=encode_user_record(user),
            json_format=True,
        )

    def delete_user(self, user_id: str) -> None:
        self.client.request(
            "PUT",
            "/ISAPI/AccessControl/UserInfo/Delete",
            body=encode_user_delete(user_id),
            json_format=True,
        )


def _gaps(after: int | None, events: list[AcsEvent]) -> int:
    """Event numbers missing between ``after`` and the numbered events (sorted)."""
    missing = 0
    prev = after
    for e in events:
        if e.serial_no is None:
            continue
        if prev is not None and e.serial_no > prev + 1:
            missing += e.serial_no - prev - 1
        prev = e.serial_no
    return missing
