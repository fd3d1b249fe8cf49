"""Acceptance from the shell: `shiftgate serve` (a real process) with `driver: adms` and
`driver: isapi` entries in devices.yaml, `shiftgate simulate adms` / `simulate isapi` against
it, and the operator's `devices list / admit / command / commands / pull --driver isapi`."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from drivers.isapi.simulator import IsapiSimulator
from gateway.testing.config_files import write_config_dir
from gateway.testing.serve_process import serve_process
from gateway.testing.waiting import wait_until
from hrcore.db import make_engine, make_session_factory
from hrcore.models import PunchRecord

TZ = "Asia/Shanghai"
ADMS_SN = "ADMSCLI0001"
ISAPI_SN = "DS-K1T341AMF00000007"


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if ok:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


@pytest.fixture
def served(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[dict[str, str], str]]:
    write_config_dir(
        tmp_path / "config",
        [
            {
                "serial": ADMS_SN,
                "name": "Gate PUSH",
                "driver": "adms",
                "settings": {"delay_s": 1, "error_delay_s": 1},
            },
            {
                "serial": ISAPI_SN,
                "name": "Hik door",
                "driver": "isapi",
                "poll_interval_s": 600,
                "settings": {"host": "127.0.0.1", "port": 9, "password": "pw"},
            },
        ],
        timezone=TZ,
        gateway={"push": {"auto_enrol": True, "resend_after_s": 30}},
    )
    env = {
        **os.environ,
        "SHIFTGATE_DATABASE_URL": sqlite_url,
        "SHIFTGATE_VAR_DIR": str(tmp_path / "var"),
        "SHIFTGATE_CONFIG_DIR": str(tmp_path / "config"),
        "SHIFTGATE_LOG_JSON": "true",
    }
    with serve_process(env, tmp_path) as (base, _):
        yield env, base


def stored(database_url: str, source: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        n = s.scalar(
            select(func.count()).select_from(PunchRecord).where(PunchRecord.source == source)
        )
    engine.dispose()
    return int(n or 0)


@pytest.mark.timeout(300)
def test_push_devices_from_the_shell(served: tuple[dict[str, str], str], sqlite_url: str) -> None:
    env, url = served
    out = run(
        env,
        "simulate",
        "adms",
        "--server",
        url,
        "--serial",
        ADMS_SN,
        "--records",
        "150",
        "--seed",
        "3",
        "--batch-size",
        "40",
        "--lost-acks",
        "2",
        "--tz",
        TZ,
        "--max-wait",
        "0.2",
    ).stdout
    assert "150 records acknowledged" in out and "2 lost OKs" in out
    wait_until(lambda: stored(sqlite_url, "adms") == 150, timeout=30)

    refused = run(
        env,
        "simulate",
        "adms",
        "--server",
        url,
        "--serial",
        "STRANGER7",
        "--records",
        "3",
        "--max-wait",
        "0.1",
        ok=False,
    )
    assert refused.returncode == 2 and "not admitted" in refused.stderr
    listing = run(env, "devices", "list").stdout
    assert "STRANGER7" in listing and "quarantined" in listing and ADMS_SN in listing

    run(env, "devices", "admit", "STRANGER7", "--tz", TZ)
    run(env, "devices", "command", ADMS_SN, "info")
    run(env, "devices", "command", ADMS_SN, "set-option", "--option", "Delay=20")
    again = run(
        env,
        "simulate",
        "adms",
        "--server",
        url,
        "--serial",
        ADMS_SN,
        "--records",
        "150",
        "--seed",
        "3",
        "--polls",
        "1",
        "--tz",
        TZ,
        "--max-wait",
        "0.2",
    ).stdout
    assert "2 commands executed" in again
    queue_view = run(env, "devices", "commands", ADMS_SN).stdout
    assert queue_view.count("done") == 2
    run(
        env,
        "simulate",
        "adms",
        "--server",
        url,
        "--serial",
        "STRANGER7",
        "--records",
        "3",
        "--max-wait",
        "0.1",
    )
    wait_until(lambda: stored(sqlite_url, "adms") == 153, timeout=30)


@pytest.mark.timeout(300)
def test_isapi_simulator_pushes_to_serve_and_pull_command_reads_it(
    served: tuple[dict[str, str], str], sqlite_url: str, tmp_path: Path
) -> None:
    env, url = served
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli.main",
            "simulate",
            "isapi",
            "--port",
            "0",
            "--password",
            "pw",
            "--events",
            "30",
            "--seed",
            "7",
            "--tz",
            TZ,
            "--push-to",
            f"{url}/isapi/events/{ISAPI_SN}",
            "--push-log",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in proc.stdout or []:
            lines.put(line)

    threading.Thread(target=read_lines, daemon=True).start()
    try:
        port = int(lines.get(timeout=90).strip())
        expected = sum(
            1
            for e in IsapiSimulator(events=30, seed=7, timezone=TZ).events
            if e.employee and e.minor in (1, 38, 75)
        )
        wait_until(lambda: stored(sqlite_url, "isapi") == expected, timeout=60)
        out_csv = tmp_path / "punches.csv"
        run(
            env,
            "devices",
            "pull",
            "--driver",
            "isapi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--user",
            "admin",
            "--password",
            "pw",
            "--tz",
            TZ,
            "--out",
            str(out_csv),
        )
        assert len(out_csv.read_text().splitlines()) == expected + 1
        bad = run(
            env,
            "devices",
            "pull",
            "--driver",
            "isapi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--password",
            "nope",
            "--tz",
            TZ,
            ok=False,
        )
        assert bad.returncode != 0 and "digest" in bad.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
