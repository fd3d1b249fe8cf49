"""A serial punch terminal on a pseudo-terminal pair (``shiftgate simulate serial --pty``).

It prints punch lines at a rate in one of the presets, keeps every line it has not heard
acknowledged and prints it again every ``resend_s``, and can misbehave the way real lines do:
garbage bytes between frames, lines cut off half way, corrupted checksums, impossible
timestamps, and a port that vanishes for a while (a USB adapter pulled) and comes back under
the same name. The driver is pointed at :attr:`SerialSimulator.path`, a symlink to the pty's
device (the way udev names adapters), so the name survives the vanishing.
"""

from __future__ import annotations

import os
import random
import select
import shutil
import tempfile
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from drivers.serial.codec import Framing, LineCodec, check_pattern
from drivers.serial.presets import PRESETS, PresetName

_TICK_S = 0.02
_MAX_INPUT = 4096


@dataclass(slots=True)
class _Line:
    seq: int
    fields: dict[str, str]
    frame: bytes
    ack: bytes
    last_sent: float
    sends: int = 1


@dataclass(frozen=True, slots=True)
class SimPunch:
    """A punch the simulated terminal printed (what a driver should deliver once)."""

    user: str
    local: datetime


@dataclass(slots=True)
class SimStats:
    sent: int = 0  # distinct punch lines printed
    resent: int = 0
    acked: int = 0
    faults: int = 0  # garbage, cut-off, corrupt and bad-time frames written
    vanished: int = 0
    acked_seqs: list[int] = field(default_factory=list)
    punches: list[SimPunch] = field(default_factory=list)


class SerialSimulator:
    def __init__(
        self,
        *,
        preset: PresetName = PresetName.SHIFTGATE,
        device_id: str = "1",
        users: int = 20,
        records: int | None = None,
        rate: float = 2.0,
        seed: int = 0,
        garbage: float = 0.0,
        partial: float = 0.0,
        corrupt: float = 0.0,
        bad_time: float = 0.0,
        resend_s: float = 2.0,
        vanish_after: int | None = None,
        vanish_for_s: float = 1.0,
        timezone: str = "UTC",
        start: datetime | None = None,
        step_s: float = 60.0,
        link: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        p = PRESETS[preset]
        self.preset = p
        self.zone = ZoneInfo(timezone)
        self.codec = LineCodec(
            framing=Framing(start=p.start, end=p.end, checksum=p.checksum, separator=p.separator),
            pattern=check_pattern(p.pattern),
            time_format=p.time_format,
            zone=self.zone,
            ack=p.ack,
            ack_framed=p.ack_framed,
        )
        self.device_id = device_id
        self.users = users
        self.records = records
        self.rate = rate
        self.rng = random.Random(seed)
        self.garbage, self.partial, self.corrupt, self.bad_time = (
            garbage,
            partial,
            corrupt,
            bad_time,
        )
        self.resend_s = resend_s
        self.vanish_after = vanish_after
        self.vanish_for_s = vanish_for_s
        self.start = start
        self.step_s = step_s
        self._clock = clock or (lambda: datetime.now(UTC))
        self._own_dir = link is None
        self._dir = Path(tempfile.mkdtemp(prefix="shiftgate-serial-")) if link is None else None
        self.path = link if link is not None else (self._dir or Path()) / "ttySIM0"
        self.stats = SimStats()
        self._pending: list[_Line] = []
        self._input = bytearray()
        self._master: int | None = None
        self._slave: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: lose the next acknowledgement on the line (the record is resent and acked again)
        self.drop_next_ack = False

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> SerialSimulator:
        self.start_serving()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_serving(self) -> None:
        self._open_pty()
        self._thread = threading.Thread(target=self._run, daemon=True, name="serial-sim")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._close_pty()
        if self._own_dir and self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def unacked(self) -> list[int]:
        with self._lock:
            return [line.seq for line in self._pending]

    @property
    def done(self) -> bool:
        """Every record printed and acknowledged (always false when records is None)."""
        with self._lock:
            return (
                self.records is not None and self.stats.sent >= self.records and not self._pending
            )

    # -- the pty -----------------------------------------------------------------------------
    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF rewriting, before any reader opens it
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)

    def _close_pty(self) -> None:
        self.path.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def _write(self, data: bytes) -> None:
        if self._master is None:
            return
        try:
            os.write(self._master, data)
        except (BlockingIOError, OSError):
            pass  # the terminal's buffer is full or nobody listens: the resend comes later

    # -- the device --------------------------------------------------------------------------
    def _record(self, seq: int) -> tuple[dict[str, str], datetime]:
        if self.start is not None:
            local = self.start.astimezone(self.zone) + timedelta(seconds=self.step_s * (seq - 1))
        else:
            local = self._clock().astimezone(self.zone)
        wall = local.replace(tzinfo=None, microsecond=0)
        text = str(int(local.timestamp())) if self.preset.time_format == "unix" else ""
        fields = {
            "device": self.device_id,
            "seq": str(seq),
            "time": text or wall.strftime(self.preset.time_format),
            "user": str(self.rng.randint(1, self.users)),
            "state": str(self.rng.choice((0, 1, 0, 1, 2, 3))),
            "verify": str(self.rng.choice((1, 1, 2, 15))),
        }
        return fields, local.replace(microsecond=0)

    def _faults(self, line: bytes, fields: dict[str, str]) -> None:
        rng = self.rng
        if rng.random() < self.garbage:
            self._write(bytes(rng.randrange(256) for _ in range(rng.randint(1, 12))))
            self.stats.faults += 1
        if rng.random() < self.partial:
            self._write(line[: max(1, len(line) // 2)])
            self.stats.faults += 1
        if rng.random() < self.corrupt:
            damaged = bytearray(line)
            i = len(self.preset.start) + rng.randrange(max(1, len(line) // 2))
            damaged[i] = damaged[i] ^ 0x01
            self._write(bytes(damaged))
            self.stats.faults += 1
        if rng.random() < self.bad_time and self.preset.time_format != "unix":
            bad = dict(fields, seq=str(10**9 + int(fields["seq"])))
            wall = datetime(2026, 2, 28, 10, 11, 12)  # noqa: DTZ001 - a wall time, made wrong
            bad["time"] = wall.strftime(self.preset.time_format).replace("28", "30", 1)
            self._write(self.codec.encode_line(bad, self.preset.line_template))
            self.stats.faults += 1

    def _emit(self, now: float) -> None:
        seq = self.stats.sent + 1
        fields, local = self._record(seq)
        self.stats.punches.append(SimPunch(fields["user"], local))
        frame = self.codec.encode_line(fields, self.preset.line_template)
        self._faults(frame, fields)
        self._write(frame)
        self.stats.sent += 1
        ack = self.codec.encode_ack(fields)
        if ack:
            with self._lock:
                self._pending.append(_Line(seq, fields, frame, ack, now))

    def _read_acks(self) -> None:
        if self._master is None:
            return
        try:
            ready, _, _ = select.select([self._master], [], [], _TICK_S)
            if not ready:
                return
            data = os.read(self._master, 1024)
        except (BlockingIOError, OSError):
            return  # no reader on the other side yet
        self._input += data
        with self._lock:
            matched = True
            while matched:
                matched = False
                for line in self._pending:
                    i = self._input.find(line.ack)
                    if i >= 0:
                        del self._input[i : i + len(line.ack)]
                        if self.drop_next_ack:
                            self.drop_next_ack = False
                            break
                        self._pending.remove(line)
                        self.stats.acked += 1
                        self.stats.acked_seqs.append(line.seq)
                        matched = True
                        break
        if len(self._input) > _MAX_INPUT:
            del self._input[:-_MAX_INPUT]

    def _run(self) -> None:
        interval = 1.0 / self.rate if self.rate > 0 else float("inf")
        next_emit = time.monotonic()
        back_at: float | None = None
        while not self._stop.is_set():
            now = time.monotonic()
            if back_at is not None:
                if now < back_at:
                    self._stop.wait(_TICK_S)
                    continue
                self._open_pty()
                back_at = None
            with self._lock:
                # an ack that names no record (a bare ACK byte) allows one line in flight
                waiting = bool(self._pending) and "{" not in self.preset.ack
            more = self.records is None or self.stats.sent < self.records
            if more and not waiting and now >= next_emit:
                self._emit(now)
                next_emit = now + interval
                if self.vanish_after and self.stats.sent % self.vanish_after == 0:
                    self._close_pty()
                    self.stats.vanished += 1
                    back_at = now + self.vanish_for_s
                    continue
            with self._lock:
                due = [line for line in self._pending if now - line.last_sent >= self.resend_s]
            for line in due:
                self._faults(line.frame, line.fields)  # line noise hits resends as well
                self._write(line.frame)
                line.last_sent = now
                line.sends += 1
                self.stats.resent += 1
            self._read_acks()
