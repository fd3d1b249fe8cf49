"""The gateway's durable outbox: a local SQLite file (WAL, synchronous=FULL).

A punch read from a device is committed here -- in the same transaction as that device's new
cursor -- before anything else happens: before the cursor is used again, before a device is
acknowledged, before an upload. Rows leave only when the centre has confirmed them. So a power
cut at any instant loses nothing: what is not here is still on the device, behind the cursor.

Dedup is by the deterministic punch id: a punch read twice is stored once, and a punch the
centre already confirmed is remembered (``delivered``) so a re-read does not upload it again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.errors import OutboxError
from gateway.punches.wire import PunchWire

log = logging.getLogger(__name__)

OUTBOX_FILENAME = "outbox.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    punch_id TEXT NOT NULL UNIQUE,
    device_sn TEXT NOT NULL,
    body TEXT NOT NULL,
    enqueued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivered (
    punch_id TEXT PRIMARY KEY,
    delivered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    punch_id TEXT PRIMARY KEY,
    device_sn TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
    device_sn TEXT PRIMARY KEY,
    cursor TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS device_state (
    device_sn TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    punch: PunchWire
    enqueued_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """Thread-safe handle on the outbox file. One per process; pass it down."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _now) -> None:
        self.path = path
        self._clock = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"cannot open outbox {path}: {exc}; check var_dir") from exc
        self._lock = threading.Lock()

    @classmethod
    def in_var_dir(cls, var_dir: Path, *, clock: Callable[[], datetime] = _now) -> Outbox:
        return cls(var_dir / OUTBOX_FILENAME, clock=clock)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writes ----------------------------------------------------------------------------
    def commit(self, device_sn: str, punches: Sequence[PunchWire], cursor: str | None) -> int:
        """Store ``punches`` and set the device's cursor in ONE transaction; returns how many
        were new (not pending and not already delivered). ``cursor=None`` keeps the old one."""
        now = self._clock().isoformat()
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                added = 0
                for p in punches:
                    pid = str(p.id)
                    if cur.execute("SELECT 1 FROM delivered WHERE punch_id = ?", (pid,)).fetchone():
                        continue
                    cur.execute(
                        "INSERT OR IGNORE INTO pending (punch_id, device_sn, body, enqueued_at)"
                        " VALUES (?, ?, ?, ?)",
                        (pid, p.device_sn, p.model_dump_json(), now),
                    )
                    added += cur.rowcount
                if cursor is not None:
                    cur.execute(
                        "INSERT INTO cursors (device_sn, cursor, updated_at) VALUES (?, ?, ?)"
                        " ON CONFLICT(device_sn) DO UPDATE SET cursor = excluded.cursor,"
                        " updated_at = excluded.updated_at",
                        (device_sn, cursor, now),
                    )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return added

    def confirm(self, punch_ids: Iterable[uuid.UUID]) -> int:
        """The centre holds these punches: move them from pending to delivered."""
        ids = [str(i) for i in punch_ids]
        now = self._clock().isoformat()
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.executemany(
                    "INSERT OR IGNORE INTO delivered (punch_id, delivered_at) VALUES (?, ?)",
                    [(i, now) for i in ids],
                )
                removed = 0
                for i in ids:
                    cur.execute("DELETE FROM pending WHERE punch_id = ?", (i,))
                    removed += cur.rowcount
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return removed

    def reject(self, punch_id: uuid.UUID, reason: str) -> None:
        """Park a punch the centre refused for good, so it stops blocking the queue."""
        now = self._clock().isoformat()
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute(
                    "INSERT OR REPLACE INTO rejected (punch_id, device_sn, body, reason,"
                    " rejected_at) SELECT punch_id, device_sn, body, ?, ? FROM pending"
                    " WHERE punch_id = ?",
                    (reason, now, str(punch_id)),
                )
                cur.execute("DELETE FROM pending WHERE punch_id = ?", (str(punch_id),))
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def forget_delivered(self, older_than: timedelta) -> int:
        """Drop the memory of punches delivered before ``now - older_than``."""
        cutoff = (self._clock() - older_than).isoformat()
        with self._lock:
            cur = self._conn.execute("DELETE FROM delivered WHERE delivered_at < ?", (cutoff,))
            return cur.rowcount

    def remember_address(self, device_sn: str, address: str) -> str | None:
        """Record where the device answered; returns the previous address when it changed."""
        with self._lock:
            row = self._conn.execute(
                "SELECT address FROM device_state WHERE device_sn = ?", (device_sn,)
            ).fetchone()
            if row is not None and row[0] == address:
                return None
            self._conn.execute(
                "INSERT INTO device_state (device_sn, address, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(device_sn) DO UPDATE SET address = excluded.address,"
                " updated_at = excluded.updated_at",
                (device_sn, address, self._clock().isoformat()),
            )
            return None if row is None else str(row[0])

    # -- reads -----------------------------------------------------------------------------
    def cursor(self, device_sn: str) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT cursor FROM cursors WHERE device_sn = ?", (device_sn,)
            ).fetchone()
        return None if row is None else row[0]

    def peek(self, limit: int) -> list[OutboxItem]:
        """The oldest ``limit`` pending punches."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, body, enqueued_at FROM pending ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            OutboxItem(seq, PunchWire.model_validate_json(body), datetime.fromisoformat(at))
            for seq, body, at in rows
        ]

    def depth(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT count(*) FROM pending").fetchone()
        return int(n)

    def rejected_count(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT count(*) FROM rejected").fetchone()
        return int(n)

    def oldest_pending_at(self) -> datetime | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT enqueued_at FROM pending ORDER BY seq LIMIT 1"
            ).fetchone()
        return None if row is None else datetime.fromisoformat(row[0])
