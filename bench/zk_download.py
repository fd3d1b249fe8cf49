"""Download a 100,000-record ZKTeco log over TCP with shiftgate's driver and with pyzk.

Run: ``python -m bench.zk_download [--records N] [--rounds R]``. One simulator serves both
clients in the same run; prints JSON with records/s for each and the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from drivers.zkteco.driver import ZKTecoDriver
from drivers.zkteco.simulator import ZKSimulator


def timed(fn: Callable[[], int], rounds: int) -> tuple[float, int]:
    """Best wall time over ``rounds`` runs, and the record count of the last run."""
    best = float("inf")
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - start)
    return best, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    from zk import ZK  # type: ignore[import-untyped]  # third-party reference client (test extra)

    with ZKSimulator(users=args.users, records=args.records, seed=1, timezone="UTC") as sim:
        driver = ZKTecoDriver.from_settings(
            {"host": "127.0.0.1", "port": sim.port, "timezone": "UTC", "timeout": 60}
        )

        def ours() -> int:
            return len(driver.read_punches().punches)

        def theirs() -> int:
            conn = ZK("127.0.0.1", port=sim.port, timeout=60, ommit_ping=True).connect()
            try:
                return len(conn.get_attendance())
            finally:
                conn.disconnect()

        t_ours, n_ours = timed(ours, args.rounds)
        t_theirs, n_theirs = timed(theirs, args.rounds)
    if n_ours != args.records or n_theirs != args.records:
        raise SystemExit(f"record counts differ: shiftgate {n_ours}, pyzk {n_theirs}")
    result = {
        "bench": "zk_download",
        "records": args.records,
        "rounds": args.rounds,
        "shiftgate_s": round(t_ours, 3),
        "pyzk_s": round(t_theirs, 3),
        "shiftgate_records_per_s": round(n_ours / t_ours),
        "pyzk_records_per_s": round(n_theirs / t_theirs),
        "ratio": round(t_theirs / t_ours, 2),
    }
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
