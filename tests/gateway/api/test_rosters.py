"""Rosters over the API: a solve runs as a background job with progress, the draft is read
with its coverage and projections, a cell is edited, and the draft published."""

from __future__ import annotations

from datetime import timedelta

from gateway.demo.web_data import NEXT_WEEK
from gateway.testing.waiting import wait_until
from hrcore.enums import Role
from tests.gateway.api.fixtures import DemoApi


def test_solve_as_a_job_then_edit_and_publish(demo_api: DemoApi) -> None:
    api = demo_api
    first, last = NEXT_WEEK
    body = {"site": "DEMO-WH", "date_from": str(first), "date_to": str(last), "time_limit_s": 5}
    assert (
        api.client.post(
            "/api/v1/rosters:solve", json=body, headers=api.auth(Role.VIEWER)
        ).status_code
        == 403
    )
    r = api.client.post("/api/v1/rosters:solve", json=body, headers=api.auth(Role.HR))
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in {"queued", "running"}

    def finished() -> bool:
        nonlocal job
        job = api.client.get(f"/api/v1/jobs/{job['id']}", headers=api.auth(Role.VIEWER)).json()
        return job["status"] in {"done", "failed"}

    wait_until(finished, timeout=60)
    assert job["status"] == "done", job
    assert job["solutions"] >= 1 and job["run_id"] is not None

    run = api.client.get(f"/api/v1/rosters/{job['run_id']}", headers=api.auth(Role.VIEWER))
    assert run.status_code == 200, run.text
    roster = run.json()
    assert roster["status"] == "draft" and len(roster["dates"]) == 7
    assert len(roster["rows"]) == 20 and {s["code"] for s in roster["shifts"]} == {"D", "N"}
    cover = {(c["day"], c["shift"]): c for c in roster["coverage"]}
    assert cover[(str(first), "D")]["minimum"] == 7 and cover[(str(first), "D")]["target"] == 9
    assert all(c["assigned"] >= c["minimum"] for c in roster["coverage"])
    assert roster["projected_hours"] > 0 and float(roster["projected_cost"]) > 0

    # a day off becomes a day shift: the projections move by that shift's hours
    row = next(r for r in roster["rows"] if "" in r["cells"])
    day = roster["dates"][row["cells"].index("")]
    cell = {"employee": row["employee"], "day": day, "shift": "D"}
    url = f"/api/v1/rosters/{job['run_id']}/assignments"
    assert api.client.put(url, json=cell, headers=api.auth(Role.PAYROLL)).status_code == 403
    edited = api.client.put(url, json=cell, headers=api.auth(Role.HR)).json()
    assert edited["projected_hours"] == roster["projected_hours"] + 8
    assert cover[(day, "D")]["assigned"] + 1 == next(
        c["assigned"] for c in edited["coverage"] if (c["day"], c["shift"]) == (day, "D")
    )
    bad = api.client.put(url, json={**cell, "shift": "X"}, headers=api.auth(Role.HR))
    assert bad.status_code == 404 and "X" in bad.json()["error"]["message"]
    outside = {**cell, "day": str(last + timedelta(days=1))}
    assert api.client.put(url, json=outside, headers=api.auth(Role.HR)).status_code == 422

    pub = api.client.post(f"/api/v1/rosters/{job['run_id']}/publish", headers=api.auth(Role.HR))
    assert pub.status_code == 200, pub.text
    runs = api.client.get(
        "/api/v1/rosters?site=DEMO-WH&status=published", headers=api.auth(Role.VIEWER)
    ).json()
    assert job["run_id"] in [r["id"] for r in runs["items"]]
    # published runs are not edited in place
    assert api.client.put(url, json=cell, headers=api.auth(Role.HR)).status_code == 422
    audit = api.client.get("/api/v1/audit?actor=user:hr-user", headers=api.auth(Role.ADMIN))
    actions = {e["action"] for e in audit.json()["items"]}
    assert {"roster_solve", "roster_edit", "roster.publish"} <= actions


def test_solve_of_a_bad_range_is_refused(demo_api: DemoApi) -> None:
    api = demo_api
    body = {"site": "DEMO-WH", "date_from": "2025-03-20", "date_to": "2025-03-10"}
    r = api.client.post("/api/v1/rosters:solve", json=body, headers=api.auth(Role.HR))
    assert r.status_code == 422 and set(r.json()) == {"error"}
    r = api.client.post(
        "/api/v1/rosters:solve",
        json={**body, "site": "NOPE", "date_to": "2025-03-26"},
        headers=api.auth(Role.HR),
    )
    assert r.status_code == 404
    assert api.client.get("/api/v1/jobs/12345", headers=api.auth(Role.HR)).status_code == 404


def _solve(api: DemoApi, body: dict[str, object]) -> dict[str, object]:
    r = api.client.post("/api/v1/rosters:solve", json=body, headers=api.auth(Role.HR))
    assert r.status_code == 202, r.text
    job: dict[str, object] = r.json()

    def finished() -> bool:
        nonlocal job
        job = api.client.get(f"/api/v1/jobs/{job['id']}", headers=api.auth(Role.HR)).json()
        return job["status"] in {"done", "failed"}

    wait_until(finished, timeout=60)
    assert job["status"] == "done", job
    return job


def test_re_roster_keeps_the_cells_hr_changed(demo_api: DemoApi) -> None:
    api = demo_api
    first, last = NEXT_WEEK
    body = {"site": "DEMO-WH", "date_from": str(first), "date_to": str(last), "time_limit_s": 5}
    run = _solve(api, body)["run_id"]
    roster = api.client.get(f"/api/v1/rosters/{run}", headers=api.auth(Role.HR)).json()
    row = next(r for r in roster["rows"] if "D" in r["cells"])
    day = roster["dates"][row["cells"].index("D")]
    cell = {"employee": row["employee"], "day": day, "shift": ""}
    api.client.put(f"/api/v1/rosters/{run}/assignments", json=cell, headers=api.auth(Role.HR))
    again = _solve(api, {**body, "keep_edits_of": run})["run_id"]
    assert again != run
    redone = api.client.get(f"/api/v1/rosters/{again}", headers=api.auth(Role.HR)).json()
    kept = next(r for r in redone["rows"] if r["employee"] == row["employee"])
    assert kept["cells"][redone["dates"].index(day)] == ""  # the pinned day off held


def test_a_proposed_edit_is_checked_against_the_rules_and_nothing_is_written(
    demo_api: DemoApi,
) -> None:
    api = demo_api
    first, last = NEXT_WEEK
    body = {"site": "DEMO-WH", "date_from": str(first), "date_to": str(last), "time_limit_s": 5}
    run = _solve(api, body)["run_id"]
    roster = api.client.get(f"/api/v1/rosters/{run}", headers=api.auth(Role.HR)).json()
    # someone on a night, then a day shift the next morning: too little rest
    row, i = next(
        (r, i)
        for r in roster["rows"]
        for i in range(len(roster["dates"]) - 1)
        if r["cells"][i] == "N" and r["cells"][i + 1] != "D"
    )
    cell = {"employee": row["employee"], "day": roster["dates"][i + 1], "shift": "D"}
    url = f"/api/v1/rosters/{run}/assignments:check"
    r = api.client.post(url, json={"changes": [cell]}, headers=api.auth(Role.VIEWER))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["blocked"] is True
    assert any(b["severity"] == "block" and b["employee"] == row["employee"] for b in out["added"])
    assert [p["employee"] for p in out["people"]] == [row["employee"]]
    again = api.client.get(f"/api/v1/rosters/{run}", headers=api.auth(Role.HR)).json()
    assert again["rows"] == roster["rows"]  # a check writes nothing
    bad = api.client.post(
        url, json={"changes": [{**cell, "employee": "NOBODY"}]}, headers=api.auth(Role.HR)
    )
    assert bad.status_code == 422 and "NOBODY" in bad.json()["error"]["message"]
