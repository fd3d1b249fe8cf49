"""The corrections workflow: a missed check-out is requested, a manager approves it, a
corrected punch is added (the raw punches stay), the day is recomputed, all audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from hrcore.enums import Role
from hrcore.models import AuditEntry, PunchRecord
from tests.gateway.api.fixtures import DemoApi

DAY = "2025-03-06"  # E07 forgot to check out (the sample data's missed punch)


def _day(api: DemoApi) -> dict[str, Any]:
    r = api.client.get(f"/api/v1/attendance/days/E07/{DAY}", headers=api.auth(Role.VIEWER))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _raw_punches(api: DemoApi) -> list[tuple[object, ...]]:
    with api.factory() as s:
        return [
            tuple(row)
            for row in s.execute(
                select(PunchRecord.id, PunchRecord.at, PunchRecord.state, PunchRecord.device_sn)
                .where(PunchRecord.source != "correction")
                .order_by(PunchRecord.id)
            )
        ]


def test_approval_adds_a_marked_punch_and_recomputes_the_day(demo_api: DemoApi) -> None:
    api = demo_api
    before = _day(api)
    assert before["status"] == "missing_checkout" and before["pending_corrections"] == 0
    raw = _raw_punches(api)

    body = {
        "employee": "E07",
        "day": DAY,
        "at": f"{DAY}T17:02:00+08:00",
        "state": "out",
        "reason": "forgot to punch out; left with the shift lead",
    }
    assert (
        api.client.post("/api/v1/corrections", json=body, headers=api.auth(Role.VIEWER)).status_code
        == 403
    )
    r = api.client.post("/api/v1/corrections", json=body, headers=api.auth(Role.HR))
    assert r.status_code == 201, r.text
    request = r.json()
    assert request["status"] == "pending" and request["requested_by"] == "user:hr-user"
    assert request["local_time"] == f"{DAY}T17:02:00+08:00"

    # the day shows the pending request, and the queue lists it
    pending = _day(api)
    assert pending["pending_corrections"] == 1 and pending["status"] == "missing_checkout"
    days = api.client.get(
        f"/api/v1/attendance/days?site=DEMO-WH&from={DAY}&to={DAY}&employee=E07",
        headers=api.auth(Role.VIEWER),
    ).json()
    assert days["items"][0]["pending_corrections"] == 1
    queue = api.client.get("/api/v1/corrections?status=pending", headers=api.auth(Role.VIEWER))
    assert [c["id"] for c in queue.json()["items"]] == [request["id"]]

    # payroll may request but not decide
    url = f"/api/v1/corrections/{request['id']}/approve"
    assert api.client.post(url, headers=api.auth(Role.PAYROLL)).status_code == 403
    r = api.client.post(url, json={"note": "confirmed on CCTV"}, headers=api.auth(Role.ADMIN))
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved" and decided["decided_by"] == "user:admin-user"

    after = _day(api)
    assert after["status"] in {"present", "late"} and after["worked_minutes"] > 0
    assert after["pending_corrections"] == 0
    assert any(t["punch_id"] == decided["punch_id"] for t in after["trace"])

    # the raw punches are unchanged; the corrected one is marked as such
    assert _raw_punches(api) == raw
    with api.factory() as s:
        added = s.get(PunchRecord, uuid.UUID(decided["punch_id"]))
        assert added is not None
        assert (added.source, added.device_sn, added.verify_mode) == (
            "correction",
            "CORRECTION",
            "correction",
        )
        actions = [
            (e.action, e.actor)
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "correction_request")
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == [
        ("correction_request", "user:hr-user"),
        ("correction_approve", "user:admin-user"),
    ]

    # a decided request cannot be decided again
    r = api.client.post(f"/api/v1/corrections/{request['id']}/reject", headers=api.auth(Role.HR))
    assert r.status_code == 422 and "approved" in r.json()["error"]["message"]


def test_rejection_adds_no_punch(demo_api: DemoApi) -> None:
    api = demo_api
    body = {
        "employee": "E07",
        "day": DAY,
        "at": f"{DAY}T23:59:00+08:00",
        "state": "out",
        "reason": "left late",
    }
    req = api.client.post("/api/v1/corrections", json=body, headers=api.auth(Role.HR)).json()
    with api.factory() as s:
        n = s.scalar(select(func.count()).select_from(PunchRecord))
    r = api.client.post(
        f"/api/v1/corrections/{req['id']}/reject",
        json={"note": "no evidence"},
        headers=api.auth(Role.HR),
    )
    assert r.json()["status"] == "rejected" and r.json()["punch_id"] is None
    with api.factory() as s:
        assert s.scalar(select(func.count()).select_from(PunchRecord)) == n
    assert _day(api)["status"] == "missing_checkout"


def test_bad_requests_store_nothing(demo_api: DemoApi) -> None:
    api = demo_api
    hr = api.auth(Role.HR)
    cases = [
        ({"employee": "E99", "day": DAY, "at": f"{DAY}T17:00:00+08:00", "reason": "x"}, 404),
        ({"employee": "E07", "day": DAY, "at": f"{DAY}T17:00:00", "reason": "x"}, 422),
        ({"employee": "E07", "day": DAY, "at": "2025-03-09T17:00:00+08:00", "reason": "x"}, 422),
        ({"employee": "E07", "day": DAY, "at": f"{DAY}T17:00:00+08:00", "reason": ""}, 422),
        ({"employee": "E07", "day": DAY, "at": f"{DAY}T17:00:00+08:00", "reason": "   "}, 422),
    ]
    for body, code in cases:
        r = api.client.post("/api/v1/corrections", json=body, headers=hr)
        assert r.status_code == code, (body, r.text)
        assert set(r.json()) == {"error"}
    assert api.client.get("/api/v1/corrections", headers=hr).json()["items"] == []
    r = api.client.post("/api/v1/corrections/999/approve", headers=hr)
    assert r.status_code == 404
