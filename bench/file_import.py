"""File import at scale: `python -m bench.file_import [--lines 100000] [--users 500]`.

Writes a synthetic ZKTeco ``attlog.dat`` (CRLF, padded PINs), then times on SQLite: parsing it
with the file-import driver, importing it through ``gateway.punches.file_import.import_file``
(parse, map, idempotent insert, audit entry, one transaction), re-importing it (every id
already stored), and reading only the tail after appending 1% more lines via the cursor. Prints one
JSON object with wall and process-CPU seconds and lines/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from drivers.files.attlog import format_line
from drivers.files.driver import FileImportDriver
from gateway.punches.file_import import ImportRequest, import_file
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.store import SiteIn, save_site

T = TypeVar("T")
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 1, 6, 0, tzinfo=ZONE)


def lines(first: int, count: int, users: int) -> str:
    out = []
    for n in range(first, first + count):
        when = START + timedelta(seconds=37 * n)
        out.append(format_line(str(1 + n % users), when, n % 2, 1))
    return "\r\n".join(out) + "\r\n"


def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attlog.dat"
        path.write_text(lines(0, args.lines, args.users), encoding="ascii")
        url = f"sqlite:///{Path(tmp) / 'hr.db'}"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory.begin() as s:
            save_site(s, SiteIn("BENCH", "Bench site", "Asia/Shanghai"))

        driver = FileImportDriver.from_settings(
            {"path": str(path), "serial": "BENCH1", "timezone": "Asia/Shanghai"}
        )
        read, parse_wall, parse_cpu = timed(driver.read_file)
        request = ImportRequest(path=path, site_code="BENCH", device_serial="BENCH1")
        now = lambda: datetime.now(UTC)  # noqa: E731
        first, import_wall, import_cpu = timed(lambda: import_file(factory, request, clock=now))
        again, reimport_wall, reimport_cpu = timed(lambda: import_file(factory, request, clock=now))
        extra = max(1, args.lines // 100)
        with path.open("a", encoding="ascii") as f:
            f.write(lines(args.lines, extra, args.users))
        tail, tail_wall, _ = timed(lambda: driver.read_file(read.cursor))
        engine.dispose()

    assert len(read.punches) == args.lines and not read.errors
    assert first.new == args.lines and again.new == 0 and len(tail.punches) == extra
    result = {
        "lines": args.lines,
        "parse_wall_s": round(parse_wall, 3),
        "parse_cpu_s": round(parse_cpu, 3),
        "parse_lines_per_s": round(args.lines / parse_wall),
        "import_wall_s": round(import_wall, 3),
        "import_cpu_s": round(import_cpu, 3),
        "import_lines_per_s": round(args.lines / import_wall),
        "reimport_wall_s": round(reimport_wall, 3),
        "reimport_cpu_s": round(reimport_cpu, 3),
        "reimport_new": again.new,
        "tail_lines": extra,
        "tail_read_wall_s": round(tail_wall, 4),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
