"""The ISAPI driver against the terminal simulator (digest auth, page cap, cursor, clock,
users), and the notification formats terminals post."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from drivers.errors import AuthRejected, ProtocolViolation
from drivers.isapi.codec import encode_notification, parse_notification, parse_search, to_punch
from drivers.isapi.driver import IsapiConfig, IsapiDriver
from drivers.isapi.simulator import PAGE_CAP, IsapiSimulator
from drivers.punch import DeviceUser, PunchState, VerifyMode

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> Iterator[IsapiSimulator]:
    with IsapiSimulator(
        user="admin", password="s3cret!", events=95, seed=3, clock=lambda: NOW
    ) as s:
        yield s


def make(sim: IsapiSimulator, **kw: object) -> IsapiDriver:
    settings = {
        "host": "127.0.0.1",
        "port": sim.port,
        "user": "admin",
        "password": "s3cret!",
        "timezone": "Asia/Shanghai",
        "timeout": 5,
        "page_size": 100,
        "first_read_days": 60,
    }
    settings.update(kw)
    return IsapiDriver(IsapiConfig.model_validate(settings), clock=lambda: NOW)


def expected_punches(sim: IsapiSimulator) -> int:
    return sum(1 for e in sim.events if e.employee and e.minor in (1, 38, 75))


def test_pull_pages_at_the_device_cap_and_keeps_only_successful_person_events(
    sim: IsapiSimulator,
) -> None:
    with make(sim) as drv:
        result = drv.read_punches()
    searches = [r for r in sim.requests if r.endswith("/AcsEvent")]
    assert len(searches) == -(-95 // PAGE_CAP)  # asked for 100 a page, got 30
    assert len(result.punches) == expected_punches(sim) < 95
    assert {p.verify_mode for p in result.punches} <= {
        VerifyMode.FACE,
        VerifyMode.CARD,
        VerifyMode.FINGERPRINT,
    }
    assert all(p.local.utcoffset() == timedelta(hours=8) for p in result.punches)


def test_cursor_reads_nothing_twice_and_sees_new_events(sim: IsapiSimulator) -> None:
    with make(sim) as drv:
        first = drv.read_punches()
        again = drv.read_punches(first.cursor)
        assert again.punches == []
        sim.punch_now("4")
        later = drv.read_punches(again.cursor)
    assert [p.device_user for p in later.punches] == ["4"]
    assert later.punches[0].id not in {p.id for p in first.punches}


def test_gap_in_event_numbers_is_counted(sim: IsapiSimulator) -> None:
    with make(sim) as drv:
        cursor = drv.read_punches().cursor
        sim.punch_now("1")
        with sim._lock:
            sim.events.append(
                type(sim.events[-1])(
                    sim.events[-1].serial_no + 3,
                    5,
                    75,
                    sim.device_time(),
                    "2",
                    "face",
                    "checkIn",
                    "Person 2",
                )
            )
        drv.read_punches(cursor)
        assert drv.gaps == 2


def test_wrong_password_is_auth_rejected(sim: IsapiSimulator) -> None:
    with make(sim, password="wrong") as drv, pytest.raises(AuthRejected, match="digest"):
        drv.info()
    assert sim.auth_failures >= 1
    resp = httpx.get(f"http://127.0.0.1:{sim.port}/ISAPI/System/status")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith('Digest realm="')
    assert 'qop="auth"' in resp.headers["WWW-Authenticate"]


def test_info_clock_and_users(sim: IsapiSimulator) -> None:
    with make(sim) as drv:
        info = drv.info()
        assert info.serial_number == sim.serial and info.brand == "Hikvision"
        target = datetime(2026, 11, 20, 9, 30, tzinfo=ZONE)
        drv.set_clock(target)
        assert abs((drv.get_clock() - target).total_seconds()) < 5
        assert len(drv.list_users()) == 10
        drv.upsert_user(DeviceUser("77", "New Hire"))
        drv.delete_user("1")
        ids = {u.user_id for u in drv.list_users()}
    assert "77" in ids and "1" not in ids


def test_third_party_style_client_with_plain_digest(sim: IsapiSimulator) -> None:
    """What Python ISAPI clients do: GET System/status first, then deviceInfo, digest auth."""
    auth = httpx.DigestAuth("admin", "s3cret!")
    base = f"http://127.0.0.1:{sim.port}"
    status = httpx.get(base + "/ISAPI/System/status", auth=auth)
    assert status.status_code == 200 and b"<DeviceStatus" in status.content
    cond = {
        "AcsEventCond": {
            "searchID": "x",
            "searchResultPosition": 90,
            "maxResults": 30,
            "major": 5,
            "minor": 0,
            "startTime": "2026-01-01T00:00:00+08:00",
            "endTime": "2027-01-01T00:00:00+08:00",
        }
    }
    page = httpx.post(base + "/ISAPI/AccessControl/AcsEvent?format=json", json=cond, auth=auth)
    parsed = parse_search(page.content, ZONE)
    assert parsed.status.value == "OK" and len(parsed.events) == 5
    assert httpx.get(base + "/ISAPI/Nope", auth=auth).json()["subStatusCode"] == "notSupport"


ALERT = {
    "ipAddress": "192.168.100.55",
    "portNo": 8000,
    "protocol": "HTTP",
    "dateTime": "2026-02-24T19:45:13+08:00",
    "eventType": "AccessControllerEvent",
    "AccessControllerEvent": {
        "deviceName": "Access Controller",
        "majorEventType": 5,
        "subEventType": 75,
        "name": "Mateo",
        "employeeNoString": "123",
        "serialNo": 1199,
        "frontSerialNo": 1198,
        "currentVerifyMode": "face",
        "attendanceStatus": "checkOut",
    },
}
XML_ALERT = (
    b'<?xml version="1.0" encoding="UTF-8"?><EventNotificationAlert version="2.0" '
    b'xmlns="http://www.hikvision.com/ver20/XMLSchema"><ipAddress>10.0.0.9</ipAddress>'
    b"<dateTime>2026-02-24T19:45:13+08:00</dateTime><eventType>AccessControllerEvent</eventType>"
    b"<AccessControllerEvent><majorEventType>5</majorEventType><subEventType>1</subEventType>"
    b"<employeeNoString>9</employeeNoString><serialNo>7</serialNo></AccessControllerEvent>"
    b"</EventNotificationAlert>"
)


def test_notification_formats() -> None:
    body, ctype = encode_notification(ALERT, boundary="MIME_boundary")
    body = body.replace(
        b"--MIME_boundary--",
        b"--MIME_boundary\r\nContent-Disposition: "
        b'form-data; name="Picture"; filename="p.jpg"\r\nContent-Type: '
        b"image/jpeg\r\n\r\n\xff\xd8\xff\xe0\r\n--MIME_boundary--",
    )
    (multi,) = parse_notification(body, ctype, ZONE)
    (bare,) = parse_notification(json.dumps(ALERT).encode(), "application/json", ZONE)
    (xml,) = parse_notification(XML_ALERT, "application/xml", ZONE)
    assert multi == bare and multi.serial_no == 1199 and multi.front_serial_no == 1198
    p = to_punch(multi, device_sn="HK1", zone=ZONE)
    assert p is not None and (p.device_user, p.state) == ("123", PunchState.OUT)
    x = to_punch(xml, device_sn="HK1", zone=ZONE)
    assert x is not None and x.verify_mode == VerifyMode.CARD
    heartbeat = {"eventType": "videoloss", "eventState": "inactive", "dateTime": ALERT["dateTime"]}
    assert parse_notification(json.dumps(heartbeat).encode(), None, ZONE) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"<a><b></a>",
        b'<!DOCTYPE x [<!ENTITY a "b">]><a>&a;</a>',
        b"[1,2]",
        json.dumps({"AccessControllerEvent": {"majorEventType": "x"}}).encode(),
    ],
)
def test_bad_notifications_are_protocol_violations(body: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        parse_notification(body, None, ZONE)
