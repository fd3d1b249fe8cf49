"""Group commit: concurrent uploads of push devices share one outbox transaction.

Every upload must be durable before its device hears OK, and one fsync costs milliseconds,
so committing each upload alone caps a gateway at a few hundred uploads per second. Here the
first request thread that finds no commit running becomes the leader: it takes every batch
queued so far, commits them in one transaction, and wakes the others with their own counts
(or the error, which each of them answers as a failure). No batch is acknowledged before the
transaction that holds it has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.punches.wire import PunchWire
from gateway.sync.outbox import Outbox


@dataclass(eq=False)
class _Entry:
    serial: str
    punches: Sequence[PunchWire]
    added: int = 0
    error: BaseException | None = None
    done: bool = False


class GroupCommitter:
    def __init__(self, outbox: Outbox, *, max_batches: int = 256) -> None:
        self.outbox = outbox
        self.max_batches = max_batches
        self._cv = threading.Condition()
        self._queue: list[_Entry] = []
        self._busy = False
        self.transactions = 0  # for tests and benchmarks

    def commit(self, serial: str, punches: Sequence[PunchWire]) -> int:
        """Store ``punches`` durably (with whatever else is waiting); returns how many were new."""
        entry = _Entry(serial, punches)
        with self._cv:
            self._queue.append(entry)
            while not entry.done and self._busy:
                self._cv.wait()
            if entry.done:
                return self._result(entry)
            self._busy = True
            batch, self._queue = self._queue[: self.max_batches], self._queue[self.max_batches :]
        error: BaseException | None = None
        stored = False
        try:
            counts = self.outbox.commit_many([(e.serial, e.punches, None) for e in batch])
            for e, n in zip(batch, counts, strict=True):
                e.added = n
            stored = True
        except Exception as exc:  # noqa: BLE001 - re-raised in every waiter of this batch
            error = exc
        finally:
            with self._cv:
                self.transactions += 1
                for e in batch:
                    if not stored:  # never let a waiter answer OK for an uncommitted batch
                        e.error = error or RuntimeError("group commit interrupted")
                    e.done = True
                self._busy = False
                self._cv.notify_all()
        return self._result(entry)

    @staticmethod
    def _result(entry: _Entry) -> int:
        if entry.error is not None:
            raise entry.error
        return entry.added
