"""Hikvision ISAPI access-control codec: event search (JSON), event notifications (multipart
``event_log``, bare JSON, XML ``EventNotificationAlert``), device info / time / users (XML and
JSON). Sans-IO: bytes in, frozen records out, and the exact bodies a client sends.

Which events are punches: major 5 ("event") with a successful authentication minor -- 1 card,
38 fingerprint, 75 face by default (a driver setting can add model-specific ones) -- and a
person (``employeeNoString``). Door, alarm and failed-authentication events are not punches.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.parser import BytesParser
from email.policy import HTTP
from enum import StrEnum
from typing import Any

from drivers.errors import AuthRejected, ProtocolViolation
from drivers.localtime import attach_zone
from drivers.punch import DeviceUser, Punch, PunchState, VerifyMode

SOURCE = "isapi"
XMLNS = "http://www.hikvision.com/ver20/XMLSchema"
MAJOR_EVENT = 5
#: minor (of major 5) -> how the person was verified; the successful authentications
DEFAULT_PUNCH_MINORS: Mapping[int, VerifyMode] = {
    1: VerifyMode.CARD,
    38: VerifyMode.FINGERPRINT,
    75: VerifyMode.FACE,
}
ATTENDANCE_STATES: Mapping[str, PunchState] = {
    "checkin": PunchState.IN,
    "checkout": PunchState.OUT,
    "breakout": PunchState.BREAK_OUT,
    "breakin": PunchState.BREAK_IN,
    "overtimein": PunchState.OVERTIME_IN,
    "overtimeout": PunchState.OVERTIME_OUT,
}
_VERIFY_WORDS = {
    "card": VerifyMode.CARD,
    "face": VerifyMode.FACE,
    "fingerprint": VerifyMode.FINGERPRINT,
    "fp": VerifyMode.FINGERPRINT,
    "password": VerifyMode.PASSWORD,
    "palm": VerifyMode.PALM,
}
MAX_BODY_BYTES = 4 * 1024 * 1024


class SearchStatus(StrEnum):
    MORE = "MORE"
    OK = "OK"
    NO_MATCH = "NO MATCH"


class IsapiError(ProtocolViolation):
    """The device answered with an ISAPI error status (``statusCode``/``subStatusCode``)."""


@dataclass(frozen=True, slots=True)
class AcsEvent:
    """One access-control event, as search results and notifications carry it."""

    major: int
    minor: int
    time: datetime  # aware, with the device's offset
    employee: str | None
    serial_no: int | None
    front_serial_no: int | None = None
    verify_mode: str = ""
    attendance_status: str = ""
    name: str = ""
    card_no: str = ""
    raw: str = ""


@dataclass(frozen=True, slots=True)
class SearchPage:
    search_id: str
    status: SearchStatus
    total: int
    events: tuple[AcsEvent, ...]


# -- time ------------------------------------------------------------------------------------
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_time(text: str, zone: tzinfo) -> datetime:
    """ISO-8601 as devices write it (``+08:00``, ``+0800``, ``Z``, or no offset: the
    device's zone)."""
    match = _ISO.match(text.strip())
    if match is None:
        raise ProtocolViolation(f"time {text[:40]!r} is not ISO-8601 (YYYY-MM-DDTHH:MM:SS+hh:mm)")
    y, mo, d, h, mi, s, off = match.groups()
    try:
        wall = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))  # noqa: DTZ001 - zone below
    except ValueError as exc:
        raise ProtocolViolation(f"time {text[:40]!r} is not a calendar time") from exc
    if off is None:
        return attach_zone(wall, zone)
    if off == "Z":
        return wall.replace(tzinfo=UTC)
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise ProtocolViolation(f"time {text[:40]!r} has an impossible UTC offset")
    return wall.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


def format_time(value: datetime) -> str:
    """``2024-03-15T08:30:00+08:00`` (aware values only)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"ISAPI times carry their offset; got naive {value}")
    return value.replace(microsecond=0).isoformat()


# -- event search ----------------------------------------------------------------------------
def encode_search(
    search_id: str,
    position: int,
    max_results: int,
    start: datetime,
    end: datetime,
    *,
    major: int = 0,
    minor: int = 0,
) -> bytes:
    """Body of ``POST /ISAPI/AccessControl/AcsEvent?format=json``."""
    cond = {
        "AcsEventCond": {
            "searchID": search_id,
            "searchResultPosition": position,
            "maxResults": max_results,
            "major": major,
            "minor": minor,
            "startTime": format_time(start),
            "endTime": format_time(end),
        }
    }
    return json.dumps(cond, separators=(",", ":")).encode()


def load_json(data: bytes, what: str) -> Any:
    if len(data) > MAX_BODY_BYTES:
        raise ProtocolViolation(f"{what}: body of {len(data)} bytes is too large")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolViolation(f"{what}: not JSON ({exc})") from exc


def check_status(doc: Any, what: str) -> None:
    """Raise :class:`IsapiError` for an ISAPI error document."""
    if isinstance(doc, dict) and "statusCode" in doc and doc.get("statusCode") not in (1, "1"):
        sub = doc.get("subStatusCode", "")
        raise IsapiError(f"{what}: device says {doc.get('statusString', '?')} ({sub})")


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise ProtocolViolation(f"{what} {value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value.strip()):
        return int(value)
    raise ProtocolViolation(f"{what} {value!r} is not a number")


def _opt_int(value: object, what: str) -> int | None:
    return None if value in (None, "") else _int(value, what)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def event_from(
    item: Mapping[str, Any],
    zone: tzinfo,
    *,
    major_key: str = "major",
    minor_key: str = "minor",
    time_text: str | None = None,
) -> AcsEvent:
    """An :class:`AcsEvent` from a search ``InfoList`` item or an ``AccessControllerEvent``."""
    if not isinstance(item, Mapping):
        raise ProtocolViolation(f"event is not an object: {str(item)[:80]}")
    when = time_text if time_text is not None else item.get("time")
    if not isinstance(when, str):
        raise ProtocolViolation("event without a time")
    employee = _text(item.get("employeeNoString", item.get("employeeNo", ""))).strip() or None
    return AcsEvent(
        major=_int(item.get(major_key), major_key),
        minor=_int(item.get(minor_key), minor_key),
        time=parse_time(when, zone),
        employee=employee,
        serial_no=_opt_int(item.get("serialNo"), "serialNo"),
        front_serial_no=_opt_int(item.get("frontSerialNo"), "frontSerialNo"),
        verify_mode=_text(item.get("currentVerifyMode", "")),
        attendance_status=_text(item.get("attendanceStatus", "")),
        name=_text(item.get("name", "")),
        card_no=_text(item.get("cardNo", "")),
        raw=json.dumps(item, separators=(",", ":"), ensure_ascii=False, sort_keys=True)[:2000],
    )


def parse_search(data: bytes, zone: tzinfo) -> SearchPage:
    """The answer of an event search page."""
    doc = load_json(data, "event search")
    check_status(doc, "event search")
    body = doc.get("AcsEvent") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        raise ProtocolViolation("event search answer has no AcsEvent object")
    raw_status = _text(body.get("responseStatusStrg", "")).upper()
    try:
        status = SearchStatus(raw_status)
    except ValueError as exc:
        raise ProtocolViolation(
            f"event search status {raw_status!r} is not MORE/OK/NO MATCH"
        ) from exc
    items = body.get("InfoList") or []
    if not isinstance(items, list):
        raise ProtocolViolation("event search InfoList is not a list")
    events = tuple(event_from(i, zone) for i in items)
    return SearchPage(
        search_id=_text(body.get("searchID", "")),
        status=status,
        total=_opt_int(body.get("totalMatches"), "totalMatches") or 0,
        events=events,
    )


def verify_of(event: AcsEvent, minors: Mapping[int, VerifyMode]) -> VerifyMode:
    mode = event.verify_mode.lower()
    for word, verify in _VERIFY_WORDS.items():
        if mode == word:
            return verify
    return minors.get(event.minor, VerifyMode.OTHER)


def to_punch(
    event: AcsEvent,
    *,
    device_sn: str,
    zone: tzinfo,
    minors: Mapping[int, VerifyMode] = DEFAULT_PUNCH_MINORS,
) -> Punch | None:
    """The punch of a successful authentication by a person, else ``None``.

    The punch's wall time is the event time in the device's zone (the offset the device wrote
    is used for the instant), so a push, a search and an export give the same id.
    """
    if event.major != MAJOR_EVENT or event.minor not in minors or not event.employee:
        return None
    local = event.time.astimezone(zone)
    return Punch(
        device_sn=device_sn,
        device_user=event.employee,
        local=local,
        state=ATTENDANCE_STATES.get(event.attendance_status.lower(), PunchState.UNDEFINED),
        verify_mode=verify_of(event, minors),
        source=SOURCE,
        raw=event.raw,
    )


# -- notifications (the device posts to our listener) ----------------------------------------
def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes, what: str) -> ET.Element:
    if len(data) > MAX_BODY_BYTES:
        raise ProtocolViolation(f"{what}: body of {len(data)} bytes is too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ProtocolViolation(f"{what}: XML with a DOCTYPE or entities is refused")
    try:
        return ET.fromstring(data)  # noqa: S314 - DOCTYPE/entities refused above
    except ET.ParseError as exc:
        raise ProtocolViolation(f"{what}: not XML ({exc})") from exc


def xml_fields(elem: ET.Element) -> dict[str, str]:
    """Direct children of ``elem`` as ``{tag: text}`` (namespaces dropped)."""
    return {_strip_ns(child.tag): (child.text or "").strip() for child in elem}


def _find(elem: ET.Element, name: str) -> ET.Element | None:
    for child in elem.iter():
        if _strip_ns(child.tag) == name:
            return child
    return None


def _from_alert_json(doc: Any, zone: tzinfo) -> list[AcsEvent]:
    if not isinstance(doc, dict):
        raise ProtocolViolation("event notification is not a JSON object")
    inner = doc.get("AccessControllerEvent")
    if inner is None:
        return []  # heartbeat, videoloss and other kinds of event
    when = (
        inner.get("time") if isinstance(inner, dict) and inner.get("time") else doc.get("dateTime")
    )
    return [
        event_from(
            inner,
            zone,
            major_key="majorEventType",
            minor_key="subEventType",
            time_text=when if isinstance(when, str) else None,
        )
    ]


def _from_alert_xml(root: ET.Element, zone: tzinfo) -> list[AcsEvent]:
    inner = _find(root, "AccessControllerEvent")
    if inner is None:
        return []
    fields: dict[str, Any] = xml_fields(inner)
    when = fields.get("time") or xml_fields(root).get("dateTime")
    return [
        event_from(
            fields,
            zone,
            major_key="majorEventType",
            minor_key="subEventType",
            time_text=when or None,
        )
    ]


def parse_notification(data: bytes, content_type: str | None, zone: tzinfo) -> list[AcsEvent]:
    """Access-control events of a pushed notification: multipart (``event_log`` part, pictures
    ignored), bare JSON or XML ``EventNotificationAlert``. Other event kinds give ``[]``."""
    ctype = (content_type or "").lower()
    if ctype.startswith("multipart/"):
        return _parse_multipart(data, content_type or "", zone)
    stripped = data.lstrip()
    if stripped.startswith(b"<"):
        return _from_alert_xml(parse_xml(data, "event notification"), zone)
    return _from_alert_json(load_json(data, "event notification"), zone)


def _parse_multipart(data: bytes, content_type: str, zone: tzinfo) -> list[AcsEvent]:
    if len(data) > MAX_BODY_BYTES:
        raise ProtocolViolation(f"event notification of {len(data)} bytes is too large")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + data)
    if not message.is_multipart():
        raise ProtocolViolation("multipart event notification without parts (boundary?)")
    events: list[AcsEvent] = []
    seen_event_part = False
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition") or ""
        ptype = part.get_content_type()
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        if name == "event_log" or ptype in {"application/json", "text/json"}:
            seen_event_part = True
            events += _from_alert_json(load_json(payload, "event_log part"), zone)
        elif ptype in {"application/xml", "text/xml"}:
            seen_event_part = True
            events += _from_alert_xml(parse_xml(payload, "event part"), zone)
    if not seen_event_part:
        raise ProtocolViolation("multipart event notification without an event_log part")
    return events


def encode_notification(event: Mapping[str, Any], *, boundary: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one ``event_log`` part, as terminals post it."""
    payload = json.dumps(event, ensure_ascii=False).encode()
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="event_log"\r\n'
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


# -- device info, time, users ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeviceInfoXml:
    serial_number: str
    model: str
    name: str
    firmware: str
    mac: str


def parse_device_info(data: bytes) -> DeviceInfoXml:
    root = parse_xml(data, "deviceInfo")
    f = xml_fields(root)
    serial = f.get("serialNumber", "")
    if not serial:
        raise ProtocolViolation("deviceInfo without serialNumber")
    return DeviceInfoXml(
        serial,
        f.get("model", ""),
        f.get("deviceName", ""),
        f.get("firmwareVersion", ""),
        f.get("macAddress", ""),
    )


def parse_device_time(data: bytes, zone: tzinfo) -> datetime:
    f = xml_fields(parse_xml(data, "System/time"))
    if not f.get("localTime"):
        raise ProtocolViolation("System/time without localTime")
    return parse_time(f["localTime"], zone)


def encode_device_time(value: datetime) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Time version="2.0" xmlns="{XMLNS}">'
        f"<timeMode>manual</timeMode><localTime>{format_time(value)}</localTime></Time>"
    ).encode()


def encode_user_search(search_id: str, position: int, max_results: int) -> bytes:
    return json.dumps(
        {
            "UserInfoSearchCond": {
                "searchID": search_id,
                "searchResultPosition": position,
                "maxResults": max_results,
            }
        },
        separators=(",", ":"),
    ).encode()


def parse_user_search(data: bytes) -> tuple[SearchStatus, list[DeviceUser]]:
    doc = load_json(data, "user search")
    check_status(doc, "user search")
    body = doc.get("UserInfoSearch") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        raise ProtocolViolation("user search answer has no UserInfoSearch object")
    try:
        status = SearchStatus(_text(body.get("responseStatusStrg", "")).upper())
    except ValueError as exc:
        raise ProtocolViolation("user search status is not MORE/OK/NO MATCH") from exc
    users = []
    for item in body.get("UserInfo") or []:
        if not isinstance(item, dict) or not _text(item.get("employeeNo")).strip():
            raise ProtocolViolation("user without employeeNo")
        users.append(
            DeviceUser(user_id=_text(item["employeeNo"]).strip(), name=_text(item.get("name", "")))
        )
    return status, users


def encode_user_record(user: DeviceUser) -> bytes:
    return json.dumps(
        {
            "UserInfo": {
                "employeeNo": user.user_id,
                "name": user.name,
                "userType": "normal",
                "Valid": {
                    "enable": True,
                    "beginTime": "2020-01-01T00:00:00",
                    "endTime": "2037-12-31T23:59:59",
                    "timeType": "local",
                },
            }
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def encode_user_delete(user_id: str) -> bytes:
    return json.dumps(
        {"UserInfoDelCond": {"EmployeeNoList": [{"employeeNo": user_id}]}},
        separators=(",", ":"),
    ).encode()


def auth_error(status: int, where: str) -> AuthRejected:
    return AuthRejected(
        f"device {where} refused the credentials (HTTP {status}); check user and password "
        "in the device's settings (ISAPI uses digest authentication)"
    )
