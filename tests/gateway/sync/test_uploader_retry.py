"""A full batch the centre could not take is sent again without reading the outbox again."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from gateway.errors import CentreUnavailable
from gateway.metrics import GatewayMetrics
from gateway.punches.wire import BatchResult, PunchWire
from gateway.sync.outbox import Outbox, OutboxItem
from gateway.sync.uploader import Uploader
from tests.gateway.helpers import make_wire


class FlakyCentre:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[list[str]] = []

    def describe(self) -> str:
        return "flaky"

    def send(self, punches: Sequence[PunchWire]) -> BatchResult:
        self.sent.append([str(p.id) for p in punches])
        if self.failures:
            self.failures -= 1
            raise CentreUnavailable("down")
        return BatchResult(accepted=len(punches), duplicate=0)


class CountingOutbox(Outbox):
    peeks = 0

    def peek(self, limit: int) -> list[OutboxItem]:
        self.peeks += 1
        return super().peek(limit)


def test_a_full_batch_is_retried_from_memory_and_then_confirmed(tmp_path: Path) -> None:
    box = CountingOutbox(tmp_path / "o.db")
    box.commit("SN1", [make_wire("SN1", str(i), i) for i in range(10)], "c")
    centre = FlakyCentre(failures=3)
    uploader = Uploader(box, centre, GatewayMetrics(), batch_size=4)
    for _ in range(3):
        with pytest.raises(CentreUnavailable):
            uploader.upload_once()
    box.commit("SN1", [make_wire("SN1", "late", 100)], "c2")  # arrives at the tail meanwhile
    assert uploader.drain() == 11
    # the first batch is read once for its four sends; then two more batches and the empty end
    assert box.peeks == 1 + 3
    assert centre.sent[0] == centre.sent[1] == centre.sent[2] == centre.sent[3]
    assert box.depth() == 0


def test_a_short_batch_is_read_again_after_a_failure(tmp_path: Path) -> None:
    box = CountingOutbox(tmp_path / "o.db")
    box.commit("SN1", [make_wire("SN1", "1", 0)], "c")
    centre = FlakyCentre(failures=1)
    uploader = Uploader(box, centre, GatewayMetrics(), batch_size=4)
    with pytest.raises(CentreUnavailable):
        uploader.upload_once()
    box.commit("SN1", [make_wire("SN1", "2", 1)], "c2")
    assert uploader.upload_once() == 2  # the punch that came meanwhile joins the batch
    assert len(centre.sent[1]) == 2
