"""A bare gateway process (device manager + outbox + uploader, no HTTP) for the crash harness.

Configured like ``shiftgate serve`` from SHIFTGATE_* variables and the config folder. Writes
``--ready-file`` once running; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from gateway.config.service import load_service_config
from gateway.logging_json import configure_logging
from gateway.service import GatewayService
from gateway.settings import Settings

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.testing.gateway_runner")
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(json_lines=settings.log_json)
    config = load_service_config(settings.config_dir)
    service = GatewayService(settings, config.gateway, config.devices)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    service.start()
    args.ready_file.write_text("ready", encoding="utf-8")
    stop.wait()
    service.stop()


if __name__ == "__main__":
    main()
