"""`shiftgate serve` as a child process on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from gateway.testing.waiting import wait_until


@contextmanager
def serve_process(
    env: Mapping[str, str], workdir: Path, *, timeout: float = 90.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start ``shiftgate serve --port 0`` in ``workdir`` (its log: ``workdir/serve.log``) and
    yield its base URL and process once it has written its port file (it is then ready); stop
    it with SIGTERM afterwards. A server that exits before it is ready fails with its log."""
    port_file = workdir / "port"
    port_file.unlink(missing_ok=True)
    log_path = workdir / "serve.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - this interpreter and our own module
            [
                sys.executable,
                "-m",
                "gateway.cli.main",
                "serve",
                "--port",
                "0",
                "--port-file",
                str(port_file),
            ],
            env=dict(env),
            stdout=log,
            stderr=log,
            cwd=workdir,
        )
    try:
        wait_until(lambda: port_file.exists() or proc.poll() is not None, timeout=timeout)
        if proc.poll() is not None:
            raise RuntimeError(
                f"shiftgate serve exited with {proc.returncode} before it was ready:\n"
                + log_path.read_text(errors="replace")
            )
        yield f"http://127.0.0.1:{port_file.read_text().strip()}", proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
