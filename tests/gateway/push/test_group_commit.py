"""Concurrent uploads share outbox transactions; none is answered before its commit, and a
failed commit fails every upload in it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.adms.codec import parse_attlog
from gateway.punches.mapping import to_wire
from gateway.punches.wire import PunchWire
from gateway.push.commit import GroupCommitter
from gateway.sync.outbox import Outbox

ZONE = ZoneInfo("Asia/Shanghai")


def wires(serial: str, day: int) -> list[PunchWire]:
    body = "".join(f"{i}\t2026-11-{day:02d} 08:{i:02d}:00\t0\t1\n" for i in range(10))
    return [
        to_wire(p, timezone="Asia/Shanghai", received_at=datetime.now(UTC))
        for p in parse_attlog(body, device_sn=serial, zone=ZONE).punches
    ]


def test_concurrent_batches_are_grouped_and_counted(tmp_path: Path) -> None:
    outbox = Outbox.in_var_dir(tmp_path)
    group = GroupCommitter(outbox)
    results: dict[int, int] = {}

    def upload(n: int) -> None:
        results[n] = group.commit(f"SN{n % 4}", wires(f"SN{n % 4}", 1 + n // 4))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results.values()) == outbox.depth() == 400
    assert group.transactions <= 40
    assert group.commit("SN0", wires("SN0", 1)) == 0  # a re-sent batch stores nothing


def test_a_failed_commit_fails_its_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = Outbox.in_var_dir(tmp_path)
    group = GroupCommitter(outbox)

    def broken(batches: object) -> list[int]:
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "commit_many", broken)
    with pytest.raises(OSError, match="disk full"):
        group.commit("SN1", wires("SN1", 1))
    monkeypatch.undo()
    assert group.commit("SN1", wires("SN1", 1)) == 10
