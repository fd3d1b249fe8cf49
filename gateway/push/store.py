"""The gateway's push state: a local SQLite file beside the outbox (WAL, synchronous=FULL).

- ``push_devices``: every serial that called in -- configured, admitted, quarantined or
  refused -- with its last contact, push version, stamps and record count;
- ``commands``: the command queue of each device (queued -> sent -> done / failed), with
  timestamps, attempts and the device's answer; a command sent and not acknowledged within
  ``resend_after`` is sent again; a result for a finished command changes nothing;
- ``rejects``: lines of an upload that could not be read, kept verbatim (nothing a device sent
  is dropped without a trace).

Punches never live here: they go to the outbox, in the request, before the device hears OK.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from drivers.adms.codec import BadLine, CommandResult
from drivers.adms.commands import Command, CommandKind, command_fields
from drivers.punch import DeviceUser
from gateway.errors import BadInput, OutboxError

PUSH_FILENAME = "push.db"
#: seconds between writes of a device's unchanged contact (last seen, request counts, stamps)
CONTACT_FLUSH_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS push_devices (
    serial TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    status TEXT NOT NULL,
    timezone TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    pushver TEXT NOT NULL DEFAULT '',
    att_stamp TEXT NOT NULL DEFAULT '0',
    op_stamp TEXT NOT NULL DEFAULT '0',
    record_count INTEGER,
    requests INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    serial TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    done_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    return_code INTEGER,
    answer TEXT NOT NULL DEFAULT '',
    after_id INTEGER,
    records_at_guard INTEGER
);
CREATE INDEX IF NOT EXISTS ix_commands_serial_status ON commands (serial, status);
CREATE TABLE IF NOT EXISTS device_users (
    serial TEXT NOT NULL,
    pin TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    privilege INTEGER NOT NULL DEFAULT 0,
    card TEXT,
    grp TEXT,
    PRIMARY KEY (serial, pin)
);
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    serial TEXT NOT NULL,
    kind TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    text TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


class DeviceStatus(StrEnum):
    CONFIGURED = "configured"  # in devices.yaml
    ADMITTED = "admitted"  # accepted by an admin from quarantine
    QUARANTINED = "quarantined"  # unknown, waiting for an admin (auto-enrolment on)
    REFUSED = "refused"  # unknown, auto-enrolment off


class CommandStatus(StrEnum):
    HELD = "held"  # waits for another command (clear-log waits for its backfill)
    QUEUED = "queued"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PushDevice:
    serial: str
    family: str
    status: DeviceStatus
    timezone: str | None
    first_seen: datetime
    last_seen: datetime
    address: str
    pushver: str
    att_stamp: str
    op_stamp: str
    record_count: int | None
    requests: int
    refused: int


@dataclass(frozen=True, slots=True)
class QueuedCommand:
    id: int
    serial: str
    kind: CommandKind
    text: str
    status: CommandStatus
    created_at: datetime
    sent_at: datetime | None
    done_at: datetime | None
    attempts: int
    return_code: int | None
    answer: str


@dataclass(frozen=True, slots=True)
class ResultOutcome:
    recorded: int  # results that finished a command
    repeated: int  # results for commands already finished (ignored)
    unknown: int  # ids this gateway never sent to this device


def _now() -> datetime:
    return datetime.now(UTC)


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class PushStore:
    """Thread-safe handle on ``push.db``. One per process; pass it down."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = _now,
        resend_after: timedelta = timedelta(seconds=60),
    ) -> None:
        self.path = path
        self._clock = clock
        self.resend_after = resend_after
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
            raise OutboxError(f"cannot open push state {path}: {exc}; check var_dir") from exc
        self._lock = threading.Lock()
        self._contacts: dict[str, _Contact] = {}

    @classmethod
    def in_var_dir(cls, var_dir: Path, **kw: object) -> PushStore:
        return cls(var_dir / PUSH_FILENAME, **kw)  # type: ignore[arg-type]

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._conn.close()

    def _tx(self) -> _Tx:
        return _Tx(self._conn, self._lock)

    # -- devices -----------------------------------------------------------------------------
    def seen(
        self,
        serial: str,
        *,
        family: str,
        status: DeviceStatus,
        address: str,
        pushver: str | None = None,
        record_count: int | None = None,
        refused: bool = False,
    ) -> None:
        """Record a contact; a configured/admitted device keeps its status.

        A contact that changes nothing but the time and the counters is written at most every
        ``CONTACT_FLUSH_S`` (a poll every few seconds per clock need not fsync each time);
        a new serial, status, push version or record count is written at once.
        """
        now = self._clock()
        with self._lock:
            c = self._contacts.get(serial)
            if c is None:
                c = self._contacts[serial] = _Contact()
            changed = (
                c.status != status
                or (pushver or c.pushver) != c.pushver
                or (record_count is not None and record_count != c.record_count)
                or c.address != address
            )
            c.last_seen, c.address = now, address
            c.requests += 1
            c.refused += int(refused)
            due = time.monotonic() - c.written_at >= CONTACT_FLUSH_S
            if not (changed or due):
                return
            c.status, c.pushver = status, pushver or c.pushver
            if record_count is not None:
                c.record_count = record_count
        self._write_contact(serial, family, c)

    def _write_contact(self, serial: str, family: str, c: _Contact) -> None:
        with self._tx() as cur:
            requests, refused, c.requests, c.refused = c.requests, c.refused, 0, 0
            seen_at = (c.last_seen or self._clock()).isoformat()
            cur.execute(
                "INSERT INTO push_devices (serial, family, status, first_seen, last_seen, address,"
                " pushver, record_count, requests, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(serial) DO UPDATE SET last_seen = excluded.last_seen,"
                " address = excluded.address, requests = requests + excluded.requests,"
                " refused = refused + excluded.refused,"
                " pushver = COALESCE(NULLIF(excluded.pushver, ''), pushver),"
                " record_count = COALESCE(excluded.record_count, record_count),"
                " status = CASE WHEN status IN ('admitted') THEN status ELSE excluded.status END",
                (
                    serial,
                    family,
                    (c.status or DeviceStatus.REFUSED).value,
                    seen_at,
                    seen_at,
                    c.address,
                    c.pushver,
                    c.record_count,
                    requests,
                    refused,
                ),
            )
            for key, column in (("att", "att_stamp"), ("op", "op_stamp")):
                stamp = c.stamps.get(key)
                if stamp is not None:
                    cur.execute(
                        f"UPDATE push_devices SET {column} = ? WHERE serial = ?",  # noqa: S608 - fixed names
                        (stamp, serial),
                    )
            c.written_at = time.monotonic()

    def flush(self) -> None:
        """Write every contact kept in memory (on shutdown)."""
        for serial, c in list(self._contacts.items()):
            if c.requests or c.stamps:
                self._write_contact(serial, "", c)

    def device(self, serial: str) -> PushDevice | None:
        with self._lock:
            row = self._conn.execute(_DEVICE_SELECT + " WHERE serial = ?", (serial,)).fetchone()
            c = self._contacts.get(serial)
        return None if row is None else _overlay(_device(row), c)

    def devices(self) -> list[PushDevice]:
        with self._lock:
            rows = self._conn.execute(_DEVICE_SELECT + " ORDER BY serial").fetchall()
            contacts = dict(self._contacts)
        return [_overlay(d, contacts.get(d.serial)) for d in map(_device, rows)]

    def admit(self, serial: str, *, timezone: str | None = None) -> PushDevice:
        """Accept a quarantined or refused serial: its next uploads are stored."""
        with self._tx() as cur:
            row = cur.execute(
                "SELECT status FROM push_devices WHERE serial = ?", (serial,)
            ).fetchone()
            if row is None:
                raise BadInput(
                    f"no device {serial!r} has called this gateway; `shiftgate devices list` "
                    "shows the serials seen"
                )
            cur.execute(
                "UPDATE push_devices SET status = 'admitted', timezone = COALESCE(?, timezone)"
                " WHERE serial = ?",
                (timezone, serial),
            )
            new = cur.execute(_DEVICE_SELECT + " WHERE serial = ?", (serial,)).fetchone()
        return _device(new)

    def save_stamp(self, serial: str, *, att: str | None = None, op: str | None = None) -> None:
        """The device's upload stamps; kept with its contact (written with the next flush:
        a lost stamp only makes the device send again what is stored already)."""
        with self._lock:
            c = self._contacts.setdefault(serial, _Contact())
            if att is not None:
                c.stamps["att"] = att
            if op is not None:
                c.stamps["op"] = op

    def record_rejects(self, serial: str, kind: str, lines: Sequence[BadLine]) -> None:
        now = self._clock().isoformat()
        with self._tx() as cur:
            cur.executemany(
                "INSERT INTO rejects (serial, kind, line_no, text, reason, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(serial, kind, b.number, b.text[:4000], b.reason[:500], now) for b in lines],
            )

    def rejects(self, serial: str | None = None) -> list[tuple[str, str, int, str, str]]:
        """(serial, kind, line number, text, reason) of every kept bad line."""
        sql = "SELECT serial, kind, line_no, text, reason FROM rejects"
        args: tuple[str, ...] = ()
        if serial is not None:
            sql += " WHERE serial = ?"
            args = (serial,)
        with self._lock:
            return [tuple(r) for r in self._conn.execute(sql + " ORDER BY id", args)]  # type: ignore[misc]

    # -- users the device holds ---------------------------------------------------------------
    def save_users(self, serial: str, users: Iterable[DeviceUser]) -> None:
        """Users the device reported (OPERLOG ``USER`` lines)."""
        with self._tx() as cur:
            for u in users:
                _upsert_user(cur, serial, u)

    def users(self, serial: str) -> list[DeviceUser]:
        """What the device holds as far as the gateway knows: its reported users, with the
        queued and sent user commands applied (they will run in that order)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT pin, name, privilege, card, grp FROM device_users WHERE serial = ?",
                (serial,),
            ).fetchall()
            pending = self._conn.execute(
                "SELECT kind, text FROM commands WHERE serial = ? AND kind IN (?, ?) AND"
                " status IN ('queued', 'sent') ORDER BY id",
                (serial, CommandKind.USER_UPDATE.value, CommandKind.USER_DELETE.value),
            ).fetchall()
        users = {
            r[0]: DeviceUser(user_id=r[0], name=r[1], privilege=int(r[2]), card=r[3], group=r[4])
            for r in rows
        }
        for kind, text in pending:
            user = _user_of_command(text)
            if kind == CommandKind.USER_DELETE:
                users.pop(user.user_id, None)
            else:
                users[user.user_id] = user
        return sorted(users.values(), key=lambda u: (len(u.user_id), u.user_id))

    # -- commands ----------------------------------------------------------------------------
    def enqueue(self, serial: str, command: Command) -> int:
        """Queue a command; a clear-log first queues a backfill of the whole log and waits
        for it (the device uploads what it holds, which is stored before it is acknowledged)."""
        if command.kind == CommandKind.CLEAR_LOG:
            raise BadInput("queue a clear-log with enqueue_clear_log, which backfills first")
        now = self._clock().isoformat()
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO commands (serial, kind, text, status, created_at)"
                " VALUES (?, ?, ?, 'queued', ?)",
                (serial, command.kind.value, command.text, now),
            )
            return int(cur.lastrowid or 0)

    def enqueue_clear_log(self, serial: str, backfill: Command, clear: Command) -> tuple[int, int]:
        """The backfill (queued) and the clear (held until the backfill is done and the device's
        record count has not grown since)."""
        if backfill.kind != CommandKind.QUERY_ATTLOG or clear.kind != CommandKind.CLEAR_LOG:
            raise BadInput("a clear-log needs a DATA QUERY ATTLOG backfill before it")
        now = self._clock().isoformat()
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO commands (serial, kind, text, status, created_at)"
                " VALUES (?, ?, ?, 'queued', ?)",
                (serial, backfill.kind.value, backfill.text, now),
            )
            guard = int(cur.lastrowid or 0)
            cur.execute(
                "INSERT INTO commands (serial, kind, text, status, created_at, after_id)"
                " VALUES (?, ?, ?, 'held', ?, ?)",
                (serial, clear.kind.value, clear.text, now, guard),
            )
            return guard, int(cur.lastrowid or 0)

    def next_commands(
        self, serial: str, *, limit: int = 20, record_count: int | None = None
    ) -> list[tuple[int, str]]:
        """What to send on this poll: queued commands and sent ones not acknowledged within
        ``resend_after``; they are marked sent. Held clear-logs are released here."""
        now = self._clock()
        cutoff = (now - self.resend_after).isoformat()
        with self._tx() as cur:
            self._release_held(cur, serial, record_count)
            rows = cur.execute(
                "SELECT id, text FROM commands WHERE serial = ? AND (status = 'queued' OR"
                " (status = 'sent' AND sent_at <= ?)) ORDER BY id LIMIT ?",
                (serial, cutoff, limit),
            ).fetchall()
            cur.executemany(
                "UPDATE commands SET status = 'sent', sent_at = ?, attempts = attempts + 1"
                " WHERE id = ?",
                [(now.isoformat(), r[0]) for r in rows],
            )
        return [(int(r[0]), str(r[1])) for r in rows]

    def _release_held(self, cur: sqlite3.Cursor, serial: str, record_count: int | None) -> None:
        held = cur.execute(
            "SELECT c.id, g.status, g.records_at_guard FROM commands c JOIN commands g"
            " ON g.id = c.after_id WHERE c.serial = ? AND c.status = 'held'",
            (serial,),
        ).fetchall()
        for cid, guard_status, records_at_guard in held:
            if guard_status == CommandStatus.FAILED:
                cur.execute(
                    "UPDATE commands SET status = 'failed', done_at = ?, answer ="
                    " 'not sent: its backfill failed' WHERE id = ?",
                    (self._clock().isoformat(), cid),
                )
            elif guard_status == CommandStatus.DONE and (
                record_count is None or records_at_guard is None or record_count <= records_at_guard
            ):
                cur.execute("UPDATE commands SET status = 'queued' WHERE id = ?", (cid,))

    def record_results(
        self, serial: str, results: Iterable[CommandResult], *, record_count: int | None = None
    ) -> ResultOutcome:
        recorded = repeated = unknown = 0
        now = self._clock().isoformat()
        with self._tx() as cur:
            for r in results:
                row = cur.execute(
                    "SELECT status, kind, text FROM commands WHERE id = ? AND serial = ?",
                    (r.id, serial),
                ).fetchone()
                if row is None:
                    unknown += 1
                    continue
                if row[0] in (CommandStatus.DONE, CommandStatus.FAILED):
                    repeated += 1
                    continue
                answer = "\n".join(f"{k}={v}" for k, v in r.details)
                cur.execute(
                    "UPDATE commands SET status = ?, done_at = ?, return_code = ?, answer = ?,"
                    " records_at_guard = ? WHERE id = ?",
                    (
                        CommandStatus.DONE if r.ok else CommandStatus.FAILED,
                        now,
                        r.code,
                        answer[:4000],
                        record_count,
                        r.id,
                    ),
                )
                if r.ok and row[1] == CommandKind.USER_UPDATE:
                    _upsert_user(cur, serial, _user_of_command(row[2]))
                elif row[1] == CommandKind.USER_DELETE and (r.ok or r.code == -10):
                    cur.execute(
                        "DELETE FROM device_users WHERE serial = ? AND pin = ?",
                        (serial, _user_of_command(row[2]).user_id),
                    )
                recorded += 1
        return ResultOutcome(recorded, repeated, unknown)

    def commands(self, serial: str | None = None) -> list[QueuedCommand]:
        sql = (
            "SELECT id, serial, kind, text, status, created_at, sent_at, done_at, attempts,"
            " return_code, answer FROM commands"
        )
        args: tuple[str, ...] = ()
        if serial is not None:
            sql += " WHERE serial = ?"
            args = (serial,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [
            QueuedCommand(
                int(r[0]),
                r[1],
                CommandKind(r[2]),
                r[3],
                CommandStatus(r[4]),
                datetime.fromisoformat(r[5]),
                _dt(r[6]),
                _dt(r[7]),
                int(r[8]),
                r[9],
                r[10],
            )
            for r in rows
        ]


def _user_of_command(text: str) -> DeviceUser:
    f = command_fields(text)
    return DeviceUser(
        user_id=f.get("pin", ""),
        name=f.get("name", ""),
        privilege=int(f.get("pri", "0") or 0),
        card=f.get("card") or None,
        group=f.get("grp") or None,
    )


def _upsert_user(cur: sqlite3.Cursor, serial: str, u: DeviceUser) -> None:
    cur.execute(
        "INSERT INTO device_users (serial, pin, name, privilege, card, grp) VALUES"
        " (?, ?, ?, ?, ?, ?) ON CONFLICT(serial, pin) DO UPDATE SET name = excluded.name,"
        " privilege = excluded.privilege, card = excluded.card, grp = excluded.grp",
        (serial, u.user_id, u.name, u.privilege, u.card, u.group),
    )


@dataclass
class _Contact:
    """What the store knows of a device's last contacts and has not written yet."""

    status: DeviceStatus | None = None
    pushver: str = ""
    record_count: int | None = None
    address: str = ""
    last_seen: datetime | None = None
    requests: int = 0
    refused: int = 0
    stamps: dict[str, str] = field(default_factory=dict)
    written_at: float = -1e9


def _overlay(d: PushDevice, c: _Contact | None) -> PushDevice:
    if c is None:
        return d
    return replace(
        d,
        last_seen=c.last_seen or d.last_seen,
        address=c.address or d.address,
        requests=d.requests + c.requests,
        refused=d.refused + c.refused,
        att_stamp=c.stamps.get("att", d.att_stamp),
        op_stamp=c.stamps.get("op", d.op_stamp),
    )


_DEVICE_SELECT = (
    "SELECT serial, family, status, timezone, first_seen, last_seen, address, pushver,"
    " att_stamp, op_stamp, record_count, requests, refused FROM push_devices"
)


def _device(row: tuple[object, ...]) -> PushDevice:
    return PushDevice(
        serial=str(row[0]),
        family=str(row[1]),
        status=DeviceStatus(str(row[2])),
        timezone=None if row[3] is None else str(row[3]),
        first_seen=datetime.fromisoformat(str(row[4])),
        last_seen=datetime.fromisoformat(str(row[5])),
        address=str(row[6]),
        pushver=str(row[7]),
        att_stamp=str(row[8]),
        op_stamp=str(row[9]),
        record_count=None if row[10] is None else int(str(row[10])),
        requests=int(str(row[11])),
        refused=int(str(row[12])),
    )


class _Tx:
    """``with store._tx() as cur``: one IMMEDIATE transaction under the store's lock."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock) -> None:
        self._conn = conn
        self._lock = lock
        self._cur: sqlite3.Cursor | None = None

    def __enter__(self) -> sqlite3.Cursor:
        self._lock.acquire()
        try:
            self._cur = self._conn.cursor()
            self._cur.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._cur

    def __exit__(self, exc_type: object, *rest: object) -> None:
        assert self._cur is not None
        try:
            self._cur.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._lock.release()
