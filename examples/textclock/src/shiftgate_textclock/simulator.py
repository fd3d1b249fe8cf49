"""A TextClock on loopback, for tests, demos and benchmarks: it shares the codec with the
driver and keeps its log in memory. ``python -m shiftgate_textclock.simulator --port 0``
prints the port it listens on."""

from __future__ import annotations

import argparse
import socketserver
import sys
import threading
from datetime import datetime
from types import TracebackType

from drivers.punch import PunchState
from shiftgate_textclock.codec import Record, encode_record


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("ascii", errors="replace").strip()
        self.wfile.write(self.server.clock.answer(line))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, clock: TextClockSimulator, address: tuple[str, int]) -> None:
        self.clock = clock
        super().__init__(address, _Handler)


class TextClockSimulator:
    """A device with serial ``serial`` and an in-memory log; thread-safe."""

    def __init__(self, serial: str = "TC-0001", host: str = "127.0.0.1", port: int = 0) -> None:
        self.serial = serial
        self._address = (host, port)
        self._records: list[Record] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- the device's log -----------------------------------------------------------------
    def punch(self, user: str, wall: datetime, state: PunchState = PunchState.IN) -> Record:
        """Record a punch at the device's wall time ``wall`` (naive)."""
        with self._lock:
            record = Record(len(self._records) + 1, user, wall, state)
            self._records.append(record)
        return record

    def answer(self, request: str) -> bytes:
        """The reply to one request line (the protocol, without the socket)."""
        words = request.split(" ")
        with self._lock:
            records = list(self._records)
        if words == ["INFO"]:
            return f"INFO {self.serial} {len(records)}\n".encode("ascii")
        if len(words) == 2 and words[0] == "READ" and words[1].isdigit():
            after = int(words[1])
            newer = [r for r in records if r.seq > after]
            return b"".join(encode_record(r) for r in newer) + f"END {len(newer)}\n".encode()
        return b"ERR unknown request\n"

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    def start(self) -> int:
        self._server = _Server(self, self._address)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="textclock-sim", daemon=True
        )
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TextClockSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a TextClock on loopback")
    parser.add_argument("--port", type=int, default=7788)
    parser.add_argument("--serial", default="TC-0001")
    args = parser.parse_args(argv)
    sim = TextClockSimulator(args.serial, port=args.port)
    sim.start()
    sys.stdout.write(f"{sim.port}\n")
    sys.stdout.flush()
    threading.Event().wait()


if __name__ == "__main__":
    main()
