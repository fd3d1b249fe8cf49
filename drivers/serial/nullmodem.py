"""Two pseudo-terminals wired back to back, a null-modem cable in software: what one side
writes, the other reads. For running a serial server (a Modbus RTU simulator) and a serial
client in one test, each opening its own device path."""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import threading
import tty
from pathlib import Path

_TICK_S = 0.05


class PtyNullModem:
    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="shiftgate-nullmodem-"))
        self.a = self._dir / "ttyA"
        self.b = self._dir / "ttyB"
        self._fds: list[int] = []
        self._masters: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PtyNullModem:
        masters = []
        for link in (self.a, self.b):
            master, slave = os.openpty()
            tty.setraw(slave)
            tty.setraw(master)
            self._fds += [master, slave]
            masters.append(master)
            link.symlink_to(os.ttyname(slave))
        self._masters = (masters[0], masters[1])
        self._thread = threading.Thread(target=self._pump, daemon=True, name="null-modem")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for fd in self._fds:
            os.close(fd)
        shutil.rmtree(self._dir, ignore_errors=True)

    def _pump(self) -> None:
        assert self._masters is not None
        a, b = self._masters
        other = {a: b, b: a}
        while not self._stop.is_set():
            ready, _, _ = select.select([a, b], [], [], _TICK_S)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    continue  # nobody has that side open at the moment
                if data:
                    os.write(other[fd], data)
