"""A third-party ISAPI client (``hikvisionapi`` from PyPI, requests-based) uses the simulator
as it uses a real terminal: ``System/status`` at connect (Basic first, digest after the 401),
then device info, time and the event search in JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hikvisionapi import Client

from drivers.isapi.simulator import PAGE_CAP, IsapiSimulator

PASSWORD = "Hik12345!"


@pytest.fixture
def sim() -> Iterator[IsapiSimulator]:
    with IsapiSimulator(user="admin", password=PASSWORD, events=50, seed=9) as s:
        yield s


def test_hikvisionapi_reads_the_simulator(sim: IsapiSimulator) -> None:
    api = Client(f"http://127.0.0.1:{sim.port}", "admin", PASSWORD, timeout=10)
    assert sim.requests[0] == "GET /ISAPI/System/status"
    info = api.System.deviceInfo(method="get")["DeviceInfo"]
    assert info["serialNumber"] == sim.serial and info["model"]
    assert api.System.time(method="get")["Time"]["localTime"].endswith("+08:00")
    cond = {
        "AcsEventCond": {
            "searchID": "1",
            "searchResultPosition": 0,
            "maxResults": 100,
            "major": 5,
            "minor": 75,
            "startTime": "2000-01-01T00:00:00+08:00",
            "endTime": "2099-01-01T00:00:00+08:00",
        }
    }
    text = api.AccessControl.AcsEvent(
        method="post", params={"format": "json"}, json=cond, present="text"
    )
    page = json.loads(text)["AcsEvent"]
    faces = [e for e in sim.events if e.minor == 75]
    assert page["totalMatches"] == len(faces)
    assert page["numOfMatches"] == min(PAGE_CAP, len(faces))
    assert {i["minor"] for i in page["InfoList"]} == {75}


def test_hikvisionapi_with_a_wrong_password_gets_401(sim: IsapiSimulator) -> None:
    with pytest.raises(requests.HTTPError, match="401"):
        Client(f"http://127.0.0.1:{sim.port}", "admin", "wrong", timeout=10)
