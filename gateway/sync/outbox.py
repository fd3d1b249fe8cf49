"""The gateway's durable outbox: a local SQLite file (WAL, synchronous=FULL).

A punch read from a device is committed here -- in the same transaction as that device's new
cursor -- before anything else happens: before the cursor is used again, before a device is
acknowledged, before an upload. Rows leave only when the centre has confirmed them. So a power
cut at any instant loses nothing: what is not here is still on the device, behind the cursor.

Dedup is by the deterministic punch id: a punch read twice is stored once, and a punch the
centre already confirmed is remembered (``delivered``) so a re-read does not upload it again.

Disk budget (:class:`OutboxBudget`, ``outbox.budget_mb`` in gateway.yaml): after every write the
outbox measures the bytes its pages hold. At ``alarm_fraction`` of the budget it raises an alarm
(``shiftgate_outbox_budget_alarm``, logged once); above the budget it prunes the memory of
delivered punches, oldest delivery first, down to ``prune_to_fraction``. Pruning a delivered
id is safe: a re-read of that punch is uploaded again and the centre skips it by id. Pending and
rejected punches are never pruned: when they alone exceed the budget the outbox keeps accepting
(a punch accepted is never lost), stays in alarm and logs that it is over budget.
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
#: delivered ids forgotten per statement when the budget prunes
PRUNE_CHUNK = 2000

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
class OutboxBudget:
    """How many bytes the outbox may hold, and when to alarm and how far to prune."""

    max_bytes: int
    alarm_fraction: float = 0.8
    prune_to_fraction: float = 0.7

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError("outbox budget must be a positive number of bytes")
        if not 0 < self.prune_to_fraction < self.alarm_fraction <= 1:
            raise ValueError("outbox budget needs 0 < prune_to_fraction < alarm_fraction <= 1")

    @property
    def alarm_bytes(self) -> int:
        return int(self.max_bytes * self.alarm_fraction)

    @property
    def prune_to_bytes(self) -> int:
        return int(self.max_bytes * self.prune_to_fraction)


@dataclass(frozen=True, slots=True)
class OutboxUsage:
    """What the outbox holds on disk: bytes in used pages, file sizes, and the budget state."""

    used_bytes: int  # pages holding data (free pages are reused before the file grows)
    file_bytes: int  # the database file plus its write-ahead log, as on disk
    peak_used_bytes: int
    budget_bytes: int | None
    alarm: bool
    over_budget: bool
    pruned: int  # delivered ids pruned for the budget since the outbox was opened


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    punch: PunchWire
    enqueued_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """Thread-safe handle on the outbox file. One per process; pass it down."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = _now,
        budget: OutboxBudget | None = None,
        on_pruned: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.path = path
        self._clock = clock
        self.budget = budget
        self._on_pruned = on_pruned
        self._used = 0
        self._peak_used = 0
        self._alarm = False
        self._over = False
        self._pruned = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(_SCHEMA)
            (self._page_size,) = self._conn.execute("PRAGMA page_size").fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"cannot open outbox {path}: {exc}; check var_dir") from exc
        self._lock = threading.Lock()
        with self._lock:
            self._check_budget()

    @classmethod
    def in_var_dir(
        cls,
        var_dir: Path,
        *,
        clock: Callable[[], datetime] = _now,
        budget: OutboxBudget | None = None,
        on_pruned: Callable[[int], None] = lambda n: None,
    ) -> Outbox:
        return cls(var_dir / OUTBOX_FILENAME, clock=clock, budget=budget, on_pruned=on_pruned)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writes ----------------------------------------------------------------------------
    def commit(self, device_sn: str, punches: Sequence[PunchWire], cursor: str | None) -> int:
        """Store ``punches`` and set the device's cursor in ONE transaction; returns how many
        were new (not pending and not already delivered). ``cursor=None`` keeps the old one."""
        return self.commit_many([(device_sn, punches, cursor)])[0]

    def commit_many(
        self, batches: Sequence[tuple[str, Sequence[PunchWire], str | None]]
    ) -> list[int]:
        """Several devices' batches in ONE transaction (one fsync: the push receiver groups
        concurrent uploads); returns how many punches of each batch were new."""
        now = self._clock().isoformat()
        # serialized before the lock: the transaction holds only the SQL
        prepared = [
            (
                device_sn,
                [(str(p.id), p.device_sn, p.model_dump_json(), now) for p in punches],
                cursor,
            )
            for device_sn, punches, cursor in batches
        ]
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                counts = []
                for device_sn, rows, cursor in prepared:
                    delivered = self._delivered_among(cur, [r[0] for r in rows])
                    before = self._conn.total_changes
                    cur.executemany(
                        "INSERT OR IGNORE INTO pending (punch_id, device_sn, body, enqueued_at)"
                        " VALUES (?, ?, ?, ?)",
                        [r for r in rows if r[0] not in delivered],
                    )
                    added = self._conn.total_changes - before
                    if cursor is not None:
                        cur.execute(
                            "INSERT INTO cursors (device_sn, cursor, updated_at) VALUES (?, ?, ?)"
                            " ON CONFLICT(device_sn) DO UPDATE SET cursor = excluded.cursor,"
                            " updated_at = excluded.updated_at",
                            (device_sn, cursor, now),
                        )
                    counts.append(added)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self._check_budget()
        return counts

    @staticmethod
    def _delivered_among(cur: sqlite3.Cursor, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in cur.execute(
                    f"SELECT punch_id FROM delivered WHERE punch_id IN ({marks})",  # noqa: S608 - placeholders only
                    chunk,
                )
            )
        return found

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
                before = self._conn.total_changes
                cur.executemany("DELETE FROM pending WHERE punch_id = ?", [(i,) for i in ids])
                removed = self._conn.total_changes - before
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self._check_budget()
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

    # -- disk budget -----------------------------------------------------------------------
    def _used_bytes(self) -> int:
        (pages,) = self._conn.execute("PRAGMA page_count").fetchone()
        (free,) = self._conn.execute("PRAGMA freelist_count").fetchone()
        return int(pages - free) * int(self._page_size)

    def _check_budget(self) -> None:
        """Measure, prune delivered ids when over budget, set the alarm (holding the lock)."""
        used = self._used_bytes()
        budget = self.budget
        if budget is not None and used > budget.max_bytes:
            used = self._prune_delivered(budget, used)
        self._used = used
        self._peak_used = max(self._peak_used, used)
        if budget is None:
            return
        alarm, over = used >= budget.alarm_bytes, used > budget.max_bytes
        if alarm and not self._alarm:
            log.warning(
                "outbox near its disk budget used_bytes=%d budget_bytes=%d path=%s",
                used,
                budget.max_bytes,
                self.path,
            )
        elif self._alarm and not alarm:
            log.info("outbox back under its budget alarm used_bytes=%d", used)
        if over and not self._over:
            log.error(
                "outbox over its disk budget with undelivered punches only used_bytes=%d "
                "budget_bytes=%d; nothing is dropped: restore the link to the centre or raise "
                "outbox.budget_mb in config/gateway.yaml",
                used,
                budget.max_bytes,
            )
        self._alarm, self._over = alarm, over

    def _prune_delivered(self, budget: OutboxBudget, used: int) -> int:
        """Forget delivered ids, oldest delivery (lowest rowid) first, down to prune_to_bytes.
        Never touches pending or rejected punches. Returns the bytes used afterwards."""
        pruned = 0
        while used > budget.prune_to_bytes:
            cur = self._conn.execute(
                "DELETE FROM delivered WHERE rowid IN"
                " (SELECT rowid FROM delivered ORDER BY rowid LIMIT ?)",
                (PRUNE_CHUNK,),
            )
            if cur.rowcount <= 0:
                break
            pruned += cur.rowcount
            used = self._used_bytes()
        if pruned:
            self._pruned += pruned
            self._on_pruned(pruned)
            log.info("outbox pruned delivered ids for its budget n=%d used_bytes=%d", pruned, used)
        return used

    def usage(self) -> OutboxUsage:
        """Bytes used and on disk, and the budget state as of the last write."""
        with self._lock:
            files = [self.path, self.path.with_name(self.path.name + "-wal")]
            size = sum(p.stat().st_size for p in files if p.exists())
            return OutboxUsage(
                used_bytes=self._used,
                file_bytes=size,
                peak_used_bytes=self._peak_used,
                budget_bytes=None if self.budget is None else self.budget.max_bytes,
                alarm=self._alarm,
                over_budget=self._over,
                pruned=self._pruned,
            )

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
