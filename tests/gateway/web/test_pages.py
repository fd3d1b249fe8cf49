"""The pages through the app (the browser tests drive a real server): login with CSRF and
safe cookie flags, each page renders for the roles that may see it, forms need the token."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient

from gateway.web.i18n import CATALOGUE_FILE, Catalogue, Lang
from tests.gateway.api.fixtures import DemoApi

PAGES = ["/", "/roster", "/attendance", "/attendance/E07/2025-03-06", "/corrections", "/risk"]


def _login(client: TestClient, username: str, password: str) -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def _csrf(html: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_pages_need_a_login_and_the_cookie_is_locked_down(demo_api: DemoApi) -> None:
    client = demo_api.client
    for path in PAGES:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "demo", "password": demo_api.demo.password, "next": "/"}
    # no CSRF token, or a wrong one: refused
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    bad = {**form, "csrf": "x" * 20}
    assert client.post("/login", data=bad, follow_redirects=False).status_code == 403
    wrong = {**form, "password": "not the password", "csrf": token.group(1)}
    r = client.post("/login", data=wrong, follow_redirects=False)
    assert r.status_code == 401 and "sg_session" not in r.headers.get("set-cookie", "")
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={**form, "csrf": token.group(1), "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "sg_session=" in cookie
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower(), cookie


def test_every_page_renders_in_both_languages(demo_api: DemoApi) -> None:
    client = _login(demo_api.client, "demo", demo_api.demo.password)
    for path in [*PAGES, "/payroll"]:
        for lang, word in (("en", "Log out"), ("zh", "退出")):
            r = client.get(path, params={"lang": lang})
            assert r.status_code == 200, (path, r.text[:500])
            assert word in r.text
    assert "missing_checkout" in client.get("/attendance/E07/2025-03-06").text


def test_forms_need_the_session_csrf_token_and_the_role(demo_api: DemoApi) -> None:
    client = _login(demo_api.client, "viewer", demo_api.demo.password)
    page = client.get("/attendance/E07/2025-03-06")
    assert 'id="request-form"' not in page.text  # a viewer may not request
    form = {
        "employee": "E07",
        "day": "2025-03-06",
        "at_local": "2025-03-06T17:00",
        "state": "out",
        "reason": "forgot",
    }
    assert client.post("/corrections", data=form, follow_redirects=False).status_code == 403
    r = client.post("/corrections", data={**form, "csrf": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 403 and "role" in r.text
    assert client.get("/payroll").status_code == 403  # viewers see no pay


def test_every_label_has_both_languages_and_templates_use_known_keys() -> None:
    catalogue = Catalogue.load()
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert all(set(v) == {"en", "zh"} for v in raw.values())
    templates = (CATALOGUE_FILE.parent / "templates").glob("*.html")
    used = {k for p in templates for k in re.findall(r"t\('([\w.]+)'\)", p.read_text())}
    assert used and used <= set(raw), sorted(used - set(raw))
    assert catalogue.text("nav.roster", Lang.ZH) == "排班"
