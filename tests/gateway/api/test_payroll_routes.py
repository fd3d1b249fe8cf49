"""Payroll over the API: a run with explained lines, locking the month, the audit."""

from __future__ import annotations

from hrcore.enums import Role
from tests.gateway.api.fixtures import DemoApi


def test_run_explain_and_lock_a_month(demo_api: DemoApi) -> None:
    api = demo_api
    body = {"site": "DEMO-WH", "month": "2025-03-01"}
    assert (
        api.client.post("/api/v1/payroll/runs", json=body, headers=api.auth(Role.HR)).status_code
        == 403
    )
    r = api.client.post("/api/v1/payroll/runs", json=body, headers=api.auth(Role.PAYROLL))
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["employees"] == 20 and float(run["gross"]) > 0
    lines = api.client.get(
        f"/api/v1/payroll/runs/{run['run_id']}/lines", headers=api.auth(Role.HR)
    ).json()
    assert {ln["employee"] for ln in lines} >= {"E01", "E20"}
    assert all(ln["formula"] for ln in lines if ln["code"] != "net")
    runs = api.client.get("/api/v1/payroll/runs?site=DEMO-WH", headers=api.auth(Role.PAYROLL))
    assert [r["run_id"] for r in runs.json()] == [run["run_id"]]
    assert api.client.get("/api/v1/payroll/runs", headers=api.auth(Role.VIEWER)).status_code == 403

    locked = api.client.post("/api/v1/payroll/lock", json=body, headers=api.auth(Role.PAYROLL))
    assert locked.status_code == 200, locked.text
    again = api.client.post("/api/v1/payroll/lock", json=body, headers=api.auth(Role.PAYROLL))
    assert again.status_code == 422 and "already locked" in again.json()["error"]["message"]
    audit = api.client.get("/api/v1/audit?action=payroll.lock", headers=api.auth(Role.ADMIN))
    assert audit.json()["items"][0]["actor"] == "user:payroll-user"
