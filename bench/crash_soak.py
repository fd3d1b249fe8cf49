"""Long crash soak: ``python -m bench.crash_soak --cycles 200``; prints a JSON report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

from gateway.testing.crash_harness import run_crash_soak


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_soak")
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-soak-") as tmp:
        report = run_crash_soak(args.workdir or Path(tmp), cycles=args.cycles, seed=args.seed)
    out = {**dataclasses.asdict(report), "exact": report.exact}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.exit(0 if report.exact else 1)


if __name__ == "__main__":
    main()
