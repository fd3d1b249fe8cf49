"""The web UI in real headless Chromium against `shiftgate serve` on loopback with the demo
data: log in, open every page (a screenshot of each is kept), approve a correction and see
the day change, solve a roster from the UI and see it appear, edit a cell and see the
projection move. With CI=true these tests must run (`.ci/run` installs Debian's chromium)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from gateway.demo import seed_import
from gateway.demo.runner import DemoContext
from gateway.demo.web_data import NEXT_WEEK, WebDemo, prepare
from gateway.testing.serve_process import serve_process
from hrcore.db import make_engine, make_session_factory
from tests.gateway.web.browser import Browser, find_chromium

ROOT = Path(__file__).resolve().parents[3]
#: screenshots of every page, kept as test artifacts (var/ is not committed)
ARTIFACTS = Path(os.environ.get("SHIFTGATE_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts"))
SHOTS = ARTIFACTS / "screenshots"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    demo: WebDemo


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("web-ui")
    workdir = root / "demo"
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    seed_import.run(
        DemoContext(console=Console(file=io.StringIO()), workdir=workdir, database_url=url)
    )
    engine = make_engine(url)
    demo = prepare(make_session_factory(engine), root / "config", clock=lambda: datetime.now(UTC))
    engine.dispose()
    env = {
        **os.environ,
        "SHIFTGATE_DATABASE_URL": url,
        "SHIFTGATE_VAR_DIR": str(root / "var"),
        "SHIFTGATE_CONFIG_DIR": str(demo.config_dir),
        "SHIFTGATE_LOG_JSON": "true",
    }
    with serve_process(env, root, timeout=60) as (base, _):
        yield Server(base, demo)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if _in_ci():
            pytest.fail("chromium is missing under CI=true; .ci/run installs it", pytrace=False)
        pytest.skip("no chromium (Debian package `chromium`); .ci/run installs it")
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    b = Browser(executable, profile)
    yield b
    b.close()


@pytest.fixture(scope="module")
def logged_in(server: Server, browser: Browser) -> Browser:
    browser.open(f"{server.base}/")
    browser.wait_for("location.pathname === '/login'")
    browser.screenshot(SHOTS / "login.png")
    browser.fill("#username", server.demo.username)
    browser.fill("#password", server.demo.password)
    browser.click("#login-submit")
    browser.wait_for("location.pathname === '/' && !!document.querySelector('#devices')")
    return browser


def test_wrong_password_stays_on_the_login_page(server: Server, tmp_path: Path) -> None:
    executable = find_chromium()
    if executable is None:
        pytest.skip("no chromium")  # the module fixture already failed under CI
    b = Browser(executable, tmp_path / "profile")
    try:
        b.open(f"{server.base}/login")
        b.fill("#username", server.demo.username)
        b.fill("#password", "not the password")
        b.click("#login-submit")
        b.wait_for("!!document.querySelector('.error')")
        assert b.eval("location.pathname") == "/login"
        assert b.eval("document.cookie") == ""  # HttpOnly: scripts never see the session
    finally:
        b.close()


def test_every_page_opens_and_is_kept_as_a_screenshot(server: Server, logged_in: Browser) -> None:
    b = logged_in
    assert b.text("#punches-today") != ""
    b.screenshot(SHOTS / "dashboard.png")
    pages = {
        "roster": ("/roster", "#runs"),
        "attendance": ("/attendance?day=2025-03-06", "#days"),
        "day": ("/attendance/E07/2025-03-06", "#trace"),
        "corrections": ("/corrections", "#queue"),
        "payroll": ("/payroll", "#pay-runs"),
        "risk": ("/risk", "#risk"),
    }
    for name, (path, marker) in pages.items():
        b.open(f"{server.base}{path}")
        b.wait_for(f"!!document.querySelector('{marker}')")
        assert b.eval("document.querySelector('.error') === null"), name
        b.screenshot(SHOTS / f"{name}.png")
    b.open(f"{server.base}/attendance?day=2025-03-06&lang=zh")
    assert b.text("nav a[aria-current='page']") == "考勤"
    b.screenshot(SHOTS / "attendance-zh.png")
    b.open(f"{server.base}/attendance?day=2025-03-06&lang=en")
    assert b.text("nav a[aria-current='page']") == "Attendance"
    for name in ("login", "dashboard", *pages):
        assert (SHOTS / f"{name}.png").stat().st_size > 5000


def test_approving_a_correction_changes_the_day(server: Server, logged_in: Browser) -> None:
    b = logged_in
    b.open(f"{server.base}/attendance/E07/2025-03-06")
    assert b.text("#day-status") == "missing_checkout"
    b.fill("#at_local", "2025-03-06T17:05")
    b.fill("#reason", "forgot to punch out")
    b.click("#request-submit")
    b.wait_for("!!document.querySelector('#day-pending')")
    assert b.text("#requests .req-status") == "pending"
    assert b.text("#day-status") == "missing_checkout"
    b.screenshot(SHOTS / "day-pending.png")
    b.click("#requests button.approve")
    b.wait_for("document.querySelector('#requests .req-status')?.textContent === 'approved'")
    assert b.text("#day-status") in {"present", "late"}
    assert b.eval("document.querySelectorAll('#punches tr.corrected').length") == 1
    b.screenshot(SHOTS / "day-approved.png")


def test_solve_a_roster_from_the_ui_and_edit_it(server: Server, logged_in: Browser) -> None:
    b = logged_in
    first, last = NEXT_WEEK
    b.open(f"{server.base}/roster")
    b.fill("#date_from", str(first))
    b.fill("#date_to", str(last))
    b.fill("#time_limit_s", "5")
    b.click("#solve-submit")
    b.wait_for("!!document.querySelector('#job')")
    b.screenshot(SHOTS / "roster-job.png")
    # the page polls the job and opens the new draft when it is done
    b.wait_for("!!document.querySelector('#grid') && location.search.includes('run=')", 90)
    assert f"{first} \u2013 {last}" in b.text("#roster h2") and "draft" in b.text("#roster h2")
    assert b.eval("document.querySelectorAll('#grid tbody tr').length") == 20
    hours = float(b.text("#proj-hours"))
    # a day off becomes a day shift: the projection moves by its 8 paid hours
    b.eval(
        "(() => { const s = [...document.querySelectorAll('#grid select')]"
        ".find(x => x.value === ''); s.value = 'D';"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )
    b.wait_for("document.querySelector('#roster').dataset.edits === '1'")
    assert float(b.text("#proj-hours")) == pytest.approx(hours + 8)
    b.screenshot(SHOTS / "roster.png")
    # re-solve around the edit: a new draft opens, with the edited cell pinned
    run = b.eval("document.querySelector('#roster').dataset.run")
    b.click("#resolve")
    b.wait_for(
        f"!!document.querySelector('#roster') && document.querySelector('#roster').dataset.run"
        f" !== '{run}' && !document.querySelector('#job')",
        90,
    )
    b.click("#publish")
    b.wait_for("document.querySelector('#roster h2')?.textContent.includes('published')")


def test_run_explain_and_lock_a_pay_month(server: Server, logged_in: Browser) -> None:
    b = logged_in
    b.open(f"{server.base}/payroll")
    b.fill("#pay-month", "2025-03")
    b.click("#pay-run")
    b.wait_for("!!document.querySelector('#pay-lines') && location.search.includes('run=')")
    assert b.eval("document.querySelectorAll('#pay-lines tbody tr').length") > 20
    assert b.text("#pay-runs tr.current .run-status") == "draft"
    b.screenshot(SHOTS / "payroll-run.png")
    b.click("#lock")
    b.wait_for(
        "document.querySelector('#pay-runs tr.current .run-status')?.textContent === 'locked'"
    )
    assert b.eval("document.querySelector('#lock') === null")
