"""A Modbus punch terminal: pymodbus's own TCP server with a record queue behind it
(``shiftgate simulate modbus``).

It serves the default :class:`~drivers.modbus.codec.RegisterMap`: the unread count at input
register 10, the oldest record at input registers 100-107, a pop by writing the record's
sequence number to holding registers 200-201 (or ``true`` to coil 0). Faults for tests: drop
the connection on chosen record reads, ignore chosen pops (the record comes again), and queue
records whose state or time is impossible.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.modbus.codec import RegisterMap, encode_record

SERIAL = "MBSIM0001"
_EMPTY = 0xFFFF


@dataclass(slots=True)
class ModbusSimStats:
    record_reads: int = 0
    pops: int = 0
    lost_pops: int = 0
    drops: int = 0
    popped_seqs: list[int] = field(default_factory=list)
    #: (user, device-local time) of every good record queued
    punches: list[tuple[str, datetime]] = field(default_factory=list)


class ModbusSimulator:
    def __init__(
        self,
        *,
        records: int = 20,
        users: int = 20,
        seed: int = 0,
        unit: int = 1,
        timezone: str = "UTC",
        start: datetime | None = None,
        step_s: float = 60.0,
        live_rate: float = 0.0,
        drop_on_reads: frozenset[int] = frozenset(),
        lose_pops: frozenset[int] = frozenset(),
        bad_records: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        rtu_port: str | None = None,
        baudrate: int = 19200,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.map = RegisterMap()
        self.zone = ZoneInfo(timezone)
        self.rng = random.Random(seed)
        self.users = users
        self.unit = unit
        self.start = start
        self.step_s = step_s
        self.live_rate = live_rate
        self.drop_on_reads = drop_on_reads
        self.lose_pops = lose_pops
        self.host = host
        self.port = port
        self.rtu_port = rtu_port  # serve Modbus RTU on this serial device instead of TCP
        self.baudrate = baudrate
        self._clock = clock or (lambda: datetime.now(UTC))
        self.stats = ModbusSimStats()
        self._queue: deque[list[int]] = deque()
        self._next_seq = 1
        self._lock = threading.Lock()
        for _ in range(records):
            self.add_record()
        for i in range(bad_records):  # an impossible state, then an impossible time
            words = self._words(state=77 if i % 2 == 0 else 0)
            if i % 2:
                words[2:4] = [_EMPTY - 1, 0]  # year 2106
            self._queue.append(words)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: ModbusTcpServer | ModbusSerialServer | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- the queue ---------------------------------------------------------------------------
    def _words(self, *, state: int | None = None) -> list[int]:
        seq = self._next_seq
        self._next_seq += 1
        if self.start is not None:
            at = self.start.astimezone(self.zone) + timedelta(seconds=self.step_s * (seq - 1))
        else:
            at = self._clock().astimezone(self.zone).replace(microsecond=0)
        user = self.rng.randint(1, self.users)
        if state is None:
            self.stats.punches.append((str(user), at))
        return encode_record(
            self.map,
            seq=seq,
            user=user,
            at=at,
            state=self.rng.choice((0, 1, 0, 1, 2, 3)) if state is None else state,
            verify=self.rng.choice((1, 2, 15)),
        )

    def add_record(self) -> None:
        with self._lock:
            self._queue.append(self._words())

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _input_registers(self) -> list[int]:
        regs = [0] * 108
        regs[0:2] = [1, 1]  # protocol version, model
        regs[2:4] = [0, 1]
        head = self._queue[0] if self._queue else [_EMPTY] * 8
        regs[10] = len(self._queue)
        regs[11:13] = head[0:2]
        regs[100:108] = head
        return regs

    def _pop(self, seq: int | None) -> None:
        self.stats.pops += 1
        if self.stats.pops in self.lose_pops:
            self.stats.lost_pops += 1
            return
        if not self._queue:
            return
        head = self._queue[0]
        if seq is None or (head[0] << 16 | head[1]) == seq:
            self._queue.popleft()
            self.stats.popped_seqs.append(head[0] << 16 | head[1])

    async def _action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        values: list[int] | list[bool] | None,
    ) -> None:
        with self._lock:
            if function_code == 4:
                registers[: 108 - start_address] = self._input_registers()[start_address:]
                if address >= 100:
                    self.stats.record_reads += 1
                    if self.stats.record_reads in self.drop_on_reads:
                        self.stats.drops += 1
                        self._drop_connections()
            elif function_code in (6, 16) and values and address == 200:
                words = [int(v) for v in values]
                if len(words) >= 2:
                    self._pop(words[0] << 16 | words[1])
            elif function_code in (5, 15) and values and address == 0 and values[0]:
                self._pop(None)
            elif function_code == 3 and address <= 211 and address + count > 210:
                now = int(self._clock().timestamp())
                registers[210 - start_address : 212 - start_address] = [now >> 16, now & 0xFFFF]

    def _drop_connections(self) -> None:
        server = self._server
        if server is None or self.rtu_port is not None:
            return
        for conn in list(server.active_connections.values()):
            transport = getattr(conn, "transport", None)
            if transport is not None:
                transport.abort()

    # -- serving -----------------------------------------------------------------------------
    def __enter__(self) -> ModbusSimulator:
        self.start_serving()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_serving(self) -> None:
        self._thread = threading.Thread(target=self._serve, daemon=True, name="modbus-sim")
        self._thread.start()
        if not self._ready.wait(10) or self._error is not None:
            raise OSError(f"Modbus simulator did not start: {self._error}")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to start_serving
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        device = SimDevice(
            id=self.unit,
            simdata=(
                [SimData(0, count=16, values=False, datatype=DataType.BITS)],
                [SimData(0, count=16, values=False, datatype=DataType.BITS)],
                [SimData(200, count=21, values=0, datatype=DataType.REGISTERS)],
                [SimData(0, count=108, values=0, datatype=DataType.REGISTERS)],
            ),
            action=self._action,
        )
        server: ModbusTcpServer | ModbusSerialServer
        if self.rtu_port is not None:
            server = ModbusSerialServer(
                device, framer=FramerType.RTU, port=self.rtu_port, baudrate=self.baudrate
            )
        else:
            server = ModbusTcpServer(device, address=(self.host, self.port))
        self._server = server
        serving = asyncio.create_task(server.serve_forever())
        for _ in range(0 if self.rtu_port is not None else 200):
            listener = getattr(server, "transport", None)
            sockets = getattr(listener, "sockets", None)
            if sockets:
                self.port = sockets[0].getsockname()[1]
                break
            await asyncio.sleep(0.01)
        self._ready.set()
        live = asyncio.create_task(self._live()) if self.live_rate > 0 else None
        await self._stop.wait()
        if live is not None:
            live.cancel()
        await server.shutdown()
        serving.cancel()

    async def _live(self) -> None:
        while True:
            await asyncio.sleep(1.0 / self.live_rate)
            self.add_record()
