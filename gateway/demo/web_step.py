"""Demo step: the web UI. Demo users on the demo's store, a config folder `shiftgate serve`
runs from, and the UI's URL and login printed last."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.demo.runner import DemoContext, DemoStep
from gateway.demo.web_data import DEFAULT_PORT, DEMO_USERS, prepare
from hrcore.db import make_engine, make_session_factory


def _now() -> datetime:
    return datetime.now(UTC)


def ui_url(port: int = DEFAULT_PORT) -> str:
    return f"http://127.0.0.1:{port}/"


def run(ctx: DemoContext) -> None:
    engine = make_engine(ctx.database_url)
    try:
        demo = prepare(make_session_factory(engine), ctx.workdir / "config", clock=_now)
    finally:
        engine.dispose()
    users = ", ".join(f"{name} ({role})" for name, role in DEMO_USERS)
    ctx.console.print(f"users {users}, password {demo.password}")
    ctx.console.print(f"config for `shiftgate serve`: {demo.config_dir}")
    ctx.console.print("start the web UI (and the API, /docs) on the demo store:")
    ctx.console.print(f"  export SHIFTGATE_DATABASE_URL={ctx.database_url}", markup=False)
    ctx.console.print(f"  shiftgate serve --config-dir {demo.config_dir}", markup=False)
    ctx.console.print(f"[bold]web UI: {ui_url()}  login: {demo.username} / {demo.password}[/]")


STEP = DemoStep("The web UI: log in and look around", run)
