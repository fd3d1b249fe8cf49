"""A Hikvision access-control terminal on loopback, speaking ISAPI over HTTP with digest
authentication (MD5, ``qop="auth"``; 401 with a fresh challenge on bad credentials).

It answers what clients call: ``System/status`` (what Python clients ask first),
``System/deviceInfo``, ``System/time`` (GET/PUT), the event search with a page cap of 30,
``MORE``/``OK``/``NO MATCH``, increasing ``serialNo`` and times with the device's offset,
``AcsEvent/capabilities``, user search/record/modify/set-up/delete, and
``Event/notification/httpHosts``; with a listening host set it posts each new event as
``multipart/form-data`` with an ``event_log`` JSON part, as terminals do. Events come from a
seed: mostly successful face/card/fingerprint authentications, some failures and door events.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx

from drivers.errors import ProtocolViolation
from drivers.isapi.codec import (
    XMLNS,
    encode_notification,
    format_time,
    parse_time,
    parse_xml,
    xml_fields,
)

log = logging.getLogger(__name__)

PAGE_CAP = 30
REALM = "DS-K1T341AMF"
MODEL = "DS-K1T341AMF"
# (minor, verify word, has a person)
_KINDS = (
    (75, "face", True),
    (75, "face", True),
    (75, "face", True),
    (1, "card", True),
    (1, "card", True),
    (38, "fingerprint", True),
    (76, "face", False),  # face authentication failed
    (9, "card", False),  # invalid card
    (21, "invalid", False),  # door unlocked
    (22, "invalid", False),  # door locked
)
_STATUS = ("checkIn", "checkOut", "breakOut", "breakIn", "undefined")


@dataclass(frozen=True, slots=True)
class SimEvent:
    serial_no: int
    major: int
    minor: int
    time: datetime  # aware, device zone
    employee: str | None
    verify: str
    status: str
    name: str

    def info(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "major": self.major,
            "minor": self.minor,
            "time": format_time(self.time),
            "cardReaderNo": 1,
            "doorNo": 1,
            "serialNo": self.serial_no,
            "currentVerifyMode": self.verify,
            "mask": "no",
            "pictureURL": "",
            "picturesNumber": 0,
        }
        if self.employee:
            item |= {
                "name": self.name,
                "employeeNoString": self.employee,
                "userType": "normal",
                "attendanceStatus": self.status,
                "cardType": 1,
            }
        return item

    def alert(self, ip: str, port: int) -> dict[str, Any]:
        inner: dict[str, Any] = {
            "deviceName": "Access Controller",
            "majorEventType": self.major,
            "subEventType": self.minor,
            "cardReaderNo": 1,
            "doorNo": 1,
            "serialNo": self.serial_no,
            "frontSerialNo": self.serial_no - 1,
            "currentVerifyMode": self.verify,
        }
        if self.employee:
            inner |= {
                "name": self.name,
                "employeeNoString": self.employee,
                "userType": "normal",
                "attendanceStatus": self.status,
            }
        return {
            "ipAddress": ip,
            "portNo": port,
            "protocol": "HTTP",
            "macAddress": "e0:ca:3c:00:00:01",
            "channelID": 1,
            "dateTime": format_time(self.time),
            "activePostCount": 1,
            "eventType": "AccessControllerEvent",
            "eventState": "active",
            "eventDescription": "Access Controller Event",
            "AccessControllerEvent": inner,
        }


class IsapiSimulator:
    """``start()`` returns the port; ``stop()`` or a ``with`` block ends it. Thread-safe."""

    def __init__(
        self,
        *,
        user: str = "admin",
        password: str = "",
        events: int = 100,
        users: int = 10,
        seed: int = 0,
        timezone: str = "Asia/Shanghai",
        host: str = "127.0.0.1",
        port: int = 0,
        push_to: str | None = None,
        clock_offset_s: float = 0.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self.user, self.password = user, password
        self.zone = ZoneInfo(timezone)
        self.serial = f"DS-K1T341AMF{seed:08d}"
        self.host, self._port = host, port
        self.push_to = push_to
        self._offset = timedelta(seconds=clock_offset_s)
        self._lock = threading.RLock()
        self._nonces: set[str] = set()
        self._rng = random.Random(seed)
        self.users: dict[str, str] = {str(i): f"Person {i}" for i in range(1, users + 1)}
        self.events: list[SimEvent] = []
        self.auth_failures = 0
        self.requests: list[str] = []  # "METHOD path" of every authenticated request
        self.pushed = 0
        self.push_errors = 0
        # the log ends about now: a first read (a month back by default) sees all of it
        gaps = [self._rng.randrange(20, 900) for _ in range(events)]
        when = self.device_time() - timedelta(seconds=sum(gaps) + 60)
        for gap in gaps:
            when += timedelta(seconds=gap)
            self._append(when)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    def start(self) -> int:
        handler = type("Handler", (_Handler,), {"sim": self})
        self._server = ThreadingHTTPServer((self.host, self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="isapi-sim"
        )
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> IsapiSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -------------------------------------------------------------------------------
    def device_time(self) -> datetime:
        return (self._clock() + self._offset).astimezone(self.zone).replace(microsecond=0)

    def _append(
        self, when: datetime, kind: tuple[int, str, bool] | None = None, employee: str | None = None
    ) -> SimEvent:
        minor, verify, person = kind or self._rng.choice(_KINDS)
        who = employee or (self._rng.choice(list(self.users)) if person and self.users else None)
        with self._lock:
            event = SimEvent(
                serial_no=len(self.events) + 1,
                major=5,
                minor=minor,
                time=when,
                employee=who if person else None,
                verify=verify,
                status=self._rng.choice(_STATUS) if person else "undefined",
                name=self.users.get(who or "", ""),
            )
            self.events.append(event)
        return event

    def punch_now(self, employee: str = "1", minor: int = 75) -> SimEvent:
        """A successful authentication now; pushed when a listening host is set."""
        verify = {75: "face", 1: "card", 38: "fingerprint"}.get(minor, "face")
        event = self._append(self.device_time(), (minor, verify, True), employee)
        if self.push_to:
            self.push(event)
        return event

    def push(self, event: SimEvent) -> bool:
        """POST one event to the listening host as terminals do; True when answered 200."""
        if not self.push_to:
            return False
        body, ctype = encode_notification(
            event.alert(self.host, self.port if self._server else 0),
            boundary="MIME_boundary",
        )
        try:
            resp = httpx.post(
                self.push_to, content=body, headers={"Content-Type": ctype}, timeout=5
            )
        except httpx.HTTPError as exc:
            self.push_errors += 1
            log.info("isapi sim push failed url=%s error=%s", self.push_to, exc)
            return False
        ok = resp.status_code == 200
        self.pushed += ok
        self.push_errors += not ok
        return ok

    def push_all(self) -> int:
        return sum(self.push(e) for e in list(self.events))

    # -- digest ------------------------------------------------------------------------------
    def challenge(self, stale: bool = False) -> str:
        nonce = secrets.token_hex(16)
        with self._lock:
            self._nonces.add(nonce)
            if len(self._nonces) > 4096:
                self._nonces.pop()
        return (
            f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", '
            f'opaque="{secrets.token_hex(8)}", algorithm=MD5, stale={"TRUE" if stale else "FALSE"}'
        )

    def check_auth(self, method: str, header: str | None) -> bool:
        if not header or not header.lower().startswith("digest "):
            return False
        fields = _digest_fields(header[7:])
        nonce = fields.get("nonce", "")
        with self._lock:
            known = nonce in self._nonces
        if not known or fields.get("username") != self.user:
            return False
        ha1 = _md5(f"{self.user}:{REALM}:{self.password}")
        ha2 = _md5(f"{method}:{fields.get('uri', '')}")
        if fields.get("qop"):
            expected = _md5(
                f"{ha1}:{nonce}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:"
                f"{fields['qop']}:{ha2}"
            )
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))

    # -- answers -----------------------------------------------------------------------------
    def search(self, cond: dict[str, Any]) -> dict[str, Any]:
        search_id = str(cond.get("searchID", ""))
        position = int(cond.get("searchResultPosition", 0))
        wanted = max(1, int(cond.get("maxResults", PAGE_CAP)))
        major, minor = int(cond.get("major", 0)), int(cond.get("minor", 0))
        start = parse_time(str(cond["startTime"]), self.zone)
        end = parse_time(str(cond["endTime"]), self.zone)
        employee = cond.get("employeeNoString")
        with self._lock:
            matches = [
                e
                for e in self.events
                if start <= e.time <= end
                and (major == 0 or e.major == major)
                and (minor == 0 or e.minor == minor)
                and (not employee or e.employee == employee)
            ]
        page = matches[position : position + min(wanted, PAGE_CAP)]
        if not matches or not page:
            status = "NO MATCH"
        elif position + len(page) < len(matches):
            status = "MORE"
        else:
            status = "OK"
        return {
            "AcsEvent": {
                "searchID": search_id,
                "totalMatches": len(matches),
                "responseStatusStrg": status,
                "numOfMatches": len(page),
                "InfoList": [e.info() for e in page],
            }
        }

    def user_search(self, cond: dict[str, Any]) -> dict[str, Any]:
        position = int(cond.get("searchResultPosition", 0))
        wanted = min(max(1, int(cond.get("maxResults", PAGE_CAP))), PAGE_CAP)
        with self._lock:
            items = sorted(self.users.items(), key=lambda kv: (len(kv[0]), kv[0]))
        page = items[position : position + wanted]
        status = "NO MATCH" if not page else ("MORE" if position + len(page) < len(items) else "OK")
        return {
            "UserInfoSearch": {
                "searchID": str(cond.get("searchID", "")),
                "responseStatusStrg": status,
                "numOfMatches": len(page),
                "totalMatches": len(items),
                "UserInfo": [
                    {
                        "employeeNo": no,
                        "name": name,
                        "userType": "normal",
                        "Valid": {
                            "enable": True,
                            "beginTime": "2020-01-01T00:00:00",
                            "endTime": "2037-12-31T23:59:59",
                            "timeType": "local",
                        },
                        "doorRight": "1",
                        "RightPlan": [{"doorNo": 1, "planTemplateNo": "1"}],
                        "numOfCard": 0,
                        "numOfFP": 0,
                        "numOfFace": 1,
                    }
                    for no, name in page
                ],
            }
        }

    def device_info_xml(self) -> str:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="2.0" xmlns="{XMLNS}">'
            f"<deviceName>Access Controller</deviceName><deviceID>1</deviceID>"
            f"<model>{MODEL}</model><serialNumber>{self.serial}</serialNumber>"
            "<macAddress>e0:ca:3c:00:00:01</macAddress><firmwareVersion>V3.2.30</firmwareVersion>"
            "<firmwareReleasedDate>build 220815</firmwareReleasedDate>"
            "<deviceType>ACS</deviceType></DeviceInfo>"
        )

    def status_xml(self) -> str:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<DeviceStatus version="2.0" xmlns="{XMLNS}">'
            f"<currentDeviceTime>{format_time(self.device_time())}</currentDeviceTime>"
            "<deviceUpTime>86400</deviceUpTime><CPUList><CPU><cpuDescription>ARM</cpuDescription>"
            "<cpuUtilization>7</cpuUtilization></CPU></CPUList><MemoryList><Memory>"
            "<memoryDescription>DDR</memoryDescription><memoryUsage>40.0</memoryUsage>"
            "<memoryAvailable>120.0</memoryAvailable></Memory></MemoryList></DeviceStatus>"
        )

    def time_xml(self) -> str:
        offset = self.device_time().utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes >= 0 else "+"  # POSIX: CST-8 is UTC+8
        tz = f"CST{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}:00"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Time version="2.0" xmlns="{XMLNS}">'
            f"<timeMode>manual</timeMode><localTime>{format_time(self.device_time())}</localTime>"
            f"<timeZone>{tz}</timeZone></Time>"
        )

    def set_time(self, body: bytes) -> None:
        local = xml_fields(parse_xml(body, "System/time")).get("localTime")
        if not local:
            raise ProtocolViolation("localTime missing")
        target = parse_time(local, self.zone)
        self._offset = target - self._clock()

    def http_hosts_xml(self) -> str:
        url = urlsplit(self.push_to) if self.push_to else None
        host = url.hostname if url else ""
        port = url.port if url and url.port else 80
        path = url.path if url else "/"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<HttpHostNotificationList version="2.0" '
            f'xmlns="{XMLNS}"><HttpHostNotification><id>1</id><url>{path}</url>'
            "<protocolType>HTTP</protocolType><parameterFormatType>JSON</parameterFormatType>"
            f"<addressingFormatType>ipaddress</addressingFormatType><ipAddress>{host}</ipAddress>"
            f"<portNo>{port}</portNo><httpAuthenticationMethod>none</httpAuthenticationMethod>"
            "</HttpHostNotification></HttpHostNotificationList>"
        )

    def set_http_hosts(self, body: bytes) -> None:
        root = parse_xml(body, "httpHosts")
        for elem in root.iter():
            if elem.tag.rsplit("}", 1)[-1] == "HttpHostNotification":
                f = xml_fields(elem)
                ip, port, path = f.get("ipAddress", ""), f.get("portNo", "80"), f.get("url", "/")
                self.push_to = f"http://{ip}:{port}{path}" if ip else None
                return
        raise ProtocolViolation("no HttpHostNotification")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _digest_fields(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _split_commas(text):
        key, sep, value = part.strip().partition("=")
        if sep:
            out[key.strip().lower()] = value.strip().strip('"')
    return out


def _split_commas(text: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _status(code: int, string: str, sub: str) -> dict[str, Any]:
    return {"statusCode": code, "statusString": string, "subStatusCode": sub}


class _Handler(BaseHTTPRequestHandler):
    sim: IsapiSimulator
    protocol_version = "HTTP/1.1"
    server_version = "App-webs/"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("isapi sim " + format, *args)

    def _send(
        self, code: int, body: str | bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, code: int, doc: dict[str, Any]) -> None:
        self._send(code, json.dumps(doc, ensure_ascii=False), "application/json; charset=UTF-8")

    def _xml(self, code: int, text: str) -> None:
        self._send(code, text, 'application/xml; charset="UTF-8"')

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 4 * 1024 * 1024)) if length > 0 else b""

    def _handle(self, method: str) -> None:
        sim = self.sim
        body = self._body()
        if not sim.check_auth(method, self.headers.get("Authorization")):
            if self.headers.get("Authorization"):
                sim.auth_failures += 1
            self._send(
                401,
                '<?xml version="1.0" encoding="UTF-8"?><userCheck><statusValue>401</statusValue>'
                "<statusString>Unauthorized</statusString></userCheck>",
                'application/xml; charset="UTF-8"',
                {"WWW-Authenticate": sim.challenge()},
            )
            return
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        query = parse_qs(url.query)
        with sim._lock:
            sim.requests.append(f"{method} {path}")
        try:
            self._route(method, path, query, body)
        except (ProtocolViolation, ValueError, KeyError, TypeError) as exc:
            self._json(400, _status(6, "Invalid Content", f"badParameters: {exc}"[:120]))

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        sim = self.sim
        route = (method, path)
        if route == ("GET", "/ISAPI/System/status"):
            self._xml(200, sim.status_xml())
        elif route == ("GET", "/ISAPI/System/deviceInfo"):
            self._xml(200, sim.device_info_xml())
        elif route == ("GET", "/ISAPI/System/time"):
            self._xml(200, sim.time_xml())
        elif route == ("PUT", "/ISAPI/System/time"):
            sim.set_time(body)
            self._xml(200, _response_xml())
        elif route == ("POST", "/ISAPI/AccessControl/AcsEvent"):
            cond = json.loads(body or b"{}")["AcsEventCond"]
            self._json(200, sim.search(cond))
        elif route == ("GET", "/ISAPI/AccessControl/AcsEvent/capabilities"):
            self._json(
                200, {"AcsEvent": {"AcsEventCond": {"maxResults": {"@min": 1, "@max": PAGE_CAP}}}}
            )
        elif route == ("POST", "/ISAPI/AccessControl/UserInfo/Search"):
            self._json(200, sim.user_search(json.loads(body or b"{}")["UserInfoSearchCond"]))
        elif method in {"POST", "PUT"} and path in {
            "/ISAPI/AccessControl/UserInfo/Record",
            "/ISAPI/AccessControl/UserInfo/Modify",
            "/ISAPI/AccessControl/UserInfo/SetUp",
        }:
            info = json.loads(body)["UserInfo"]
            no = str(info["employeeNo"]).strip()
            if not no:
                raise ValueError("employeeNo empty")
            if path.endswith("/Record") and no in sim.users:
                self._json(400, _status(6, "Invalid Content", "employeeNoAlreadyExist"))
                return
            with sim._lock:
                sim.users[no] = str(info.get("name", ""))
            self._json(200, _status(1, "OK", "ok"))
        elif route == ("PUT", "/ISAPI/AccessControl/UserInfo/Delete"):
            for item in json.loads(body)["UserInfoDelCond"]["EmployeeNoList"]:
                with sim._lock:
                    sim.users.pop(str(item["employeeNo"]), None)
            self._json(200, _status(1, "OK", "ok"))
        elif route == ("GET", "/ISAPI/Event/notification/httpHosts"):
            self._xml(200, sim.http_hosts_xml())
        elif route == ("PUT", "/ISAPI/Event/notification/httpHosts"):
            sim.set_http_hosts(body)
            self._xml(200, _response_xml())
        else:
            self._json(404, _status(4, "Invalid Operation", "notSupport"))

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def _response_xml() -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0" xmlns="{XMLNS}">'
        "<requestURL></requestURL><statusCode>1</statusCode><statusString>OK</statusString>"
        "<subStatusCode>ok</subStatusCode></ResponseStatus>"
    )
