"""The demo's last step prints the web UI's URL and a login that works."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from gateway.app import create_app
from gateway.demo import STEPS, DemoContext, seed_import, web_step
from gateway.settings import Settings


def test_the_demo_ends_with_the_ui_url_and_a_login_that_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert STEPS[-1] is web_step.STEP
    monkeypatch.chdir(tmp_path)
    workdir = Path("var/demo")  # as `shiftgate demo` has it
    url = f"sqlite:///{workdir / 'shiftgate.db'}"
    seed_import.run(DemoContext(Console(file=io.StringIO()), workdir, url))
    console = Console(record=True, width=80)
    web_step.run(DemoContext(console, workdir, url))
    lines = console.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[-1] == "web UI: http://127.0.0.1:8600/  login: demo / shiftgate-demo"
    assert "  shiftgate serve --config-dir var/demo/config" in lines
    assert "  export SHIFTGATE_DATABASE_URL=sqlite:///var/demo/shiftgate.db" in lines

    settings = Settings(database_url=url, var_dir=tmp_path / "var", config_dir=workdir / "config")
    client = TestClient(create_app(settings), base_url="https://testserver")
    page = client.get("/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post(
        "/login",
        data={"username": "demo", "password": "shiftgate-demo", "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "demo (admin)" in client.get("/").text
