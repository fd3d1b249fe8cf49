from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from pathlib import Path

from gateway.sync.outbox import Outbox
from tests.gateway.helpers import make_wire


def test_commit_stores_punches_and_cursor_together(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    batch = [make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)]
    assert box.commit("SN1", batch, "c2") == 2
    assert box.cursor("SN1") == "c2"
    assert box.depth() == 2
    assert [i.punch.id for i in box.peek(10)] == [p.id for p in batch]


def test_same_punch_is_stored_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    p = make_wire("SN1", "1", 0)
    assert box.commit("SN1", [p, p], "c1") == 1
    assert box.commit("SN1", [p], "c1") == 0
    assert box.depth() == 1


def test_confirmed_punch_read_again_is_not_queued_again(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    p = make_wire("SN1", "1", 0)
    box.commit("SN1", [p], "c1")
    assert box.confirm([p.id]) == 1
    assert box.depth() == 0
    assert box.commit("SN1", [p, make_wire("SN1", "1", 5)], "c2") == 1
    assert box.depth() == 1
    assert box.forget_delivered(timedelta(seconds=-1)) == 1


def test_failed_commit_leaves_cursor_and_punches_untouched(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.commit("SN1", [make_wire("SN1", "1", 0)], "c1")

    class Boom(Exception):
        pass

    class Exploding:
        id = make_wire("SN1", "9", 9).id
        device_sn = "SN1"

        def model_dump_json(self) -> str:
            raise Boom

    try:
        box.commit("SN1", [make_wire("SN1", "2", 1), Exploding()], "c9")  # type: ignore[list-item]
    except Boom:
        pass
    else:
        raise AssertionError("commit should have raised")
    assert box.cursor("SN1") == "c1"
    assert box.depth() == 1


def test_rejected_punch_leaves_the_queue(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    p, q = make_wire("SN1", "1", 0), make_wire("SN1", "2", 1)
    box.commit("SN1", [p, q], None)
    box.reject(p.id, "bad")
    assert [i.punch.id for i in box.peek(10)] == [q.id]
    assert box.rejected_count() == 1
    assert box.cursor("SN1") is None


def test_address_change_is_reported(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    assert box.remember_address("SN1", "10.0.0.5:4370") is None
    assert box.remember_address("SN1", "10.0.0.5:4370") is None
    assert box.remember_address("SN1", "10.0.0.9:4370") == "10.0.0.5:4370"


def _commit_then_die(path: str) -> None:
    box = Outbox(Path(path))
    box.commit("SN1", [make_wire("SN1", "1", 0)], "c1")
    os.kill(os.getpid(), signal.SIGKILL)


def test_commit_survives_sigkill_right_after(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    proc = multiprocessing.get_context("spawn").Process(target=_commit_then_die, args=(str(path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL
    box = Outbox(path)
    assert box.cursor("SN1") == "c1"
    assert box.depth() == 1


def test_outbox_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    """A committed punch must survive power loss: WAL journal, fsync on every commit."""
    box = Outbox(tmp_path / "outbox.db")
    try:
        conn = box._conn  # the outbox's own connection: synchronous is per connection
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        box.close()
