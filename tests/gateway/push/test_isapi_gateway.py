"""Hikvision terminals pushing events to the gateway's listener (the ISAPI simulator posts
multipart event_log parts as terminals do); the same punch by push and by pull."""

from __future__ import annotations

import json

import httpx

from drivers.isapi.driver import IsapiConfig, IsapiDriver
from drivers.isapi.simulator import IsapiSimulator
from tests.gateway.push.conftest import ISAPI_SN, TZ, Gateway


def test_pushed_events_become_punches_once_and_match_the_pull(gateway: Gateway) -> None:
    url = f"{gateway.url}/isapi/events/{ISAPI_SN}"
    with IsapiSimulator(password="pw", events=40, seed=5, timezone=TZ, push_to=url) as sim:
        assert sim.serial == ISAPI_SN
        assert sim.push_all() == 40  # door and failed events are acknowledged too
        sim.push_all()  # the terminal re-sends (no answer in time): stored once
        pushed = gateway.stored_ids()
        persons = [e for e in sim.events if e.employee and e.minor in (1, 38, 75)]
        assert len(pushed) == len(persons) > 0
        live = sim.punch_now("3")
        drv = IsapiDriver(
            IsapiConfig(
                host="127.0.0.1", port=sim.port, password="pw", timezone=TZ, first_read_days=3650
            )
        )
        with drv:
            pulled = {str(p.id) for p in drv.read_punches().punches}
    assert pulled == gateway.stored_ids()
    assert live.serial_no == 41 and gateway.outbox.depth() == len(persons) + 1


def test_event_without_serial_in_url_is_found_by_address(gateway: Gateway) -> None:
    with IsapiSimulator(
        events=3, seed=5, timezone=TZ, push_to=f"{gateway.url}/isapi/events"
    ) as sim:
        sim.punch_now("2")
    assert gateway.outbox.depth() == 1


def test_unknown_terminal_and_bad_bodies_store_nothing(gateway: Gateway) -> None:
    alert = {
        "dateTime": "2026-11-02T08:00:00+08:00",
        "eventType": "AccessControllerEvent",
        "AccessControllerEvent": {
            "majorEventType": 5,
            "subEventType": 75,
            "employeeNoString": "1",
            "serialNo": 1,
        },
    }
    stranger = httpx.post(f"{gateway.url}/isapi/events/NOT-OURS", json=alert)
    assert stranger.status_code == 403
    for body in (b"{broken", b"<x><y></x>", json.dumps({"AccessControllerEvent": 5}).encode()):
        bad = httpx.post(f"{gateway.url}/isapi/events/{ISAPI_SN}", content=body)
        assert bad.status_code == 400, body
    assert gateway.outbox.depth() == 0
    ok = httpx.post(f"{gateway.url}/isapi/events/{ISAPI_SN}", json=alert)
    assert ok.status_code == 200 and gateway.outbox.depth() == 1


def test_skipped_event_numbers_are_counted(gateway: Gateway) -> None:
    url = f"{gateway.url}/isapi/events/{ISAPI_SN}"
    with IsapiSimulator(password="pw", events=6, seed=5, timezone=TZ, push_to=url) as sim:
        for event in sim.events[:2] + sim.events[4:]:  # numbers 3 and 4 never arrive
            assert sim.push(event)
    assert gateway.metric("shiftgate_push_event_gaps_total", device=ISAPI_SN) == 2
