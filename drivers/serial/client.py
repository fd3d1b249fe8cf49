"""The serial port: pyserial opened with the device's line settings; its errors translated."""

from __future__ import annotations

from dataclasses import dataclass

import serial
from serial.rs485 import RS485Settings

from drivers.errors import DeviceUnreachable, DriverConfigError

PARITY = {
    "none": serial.PARITY_NONE,
    "even": serial.PARITY_EVEN,
    "odd": serial.PARITY_ODD,
    "mark": serial.PARITY_MARK,
    "space": serial.PARITY_SPACE,
}
STOPBITS = {1.0: serial.STOPBITS_ONE, 1.5: serial.STOPBITS_ONE_POINT_FIVE, 2.0: serial.STOPBITS_TWO}


@dataclass(frozen=True, slots=True)
class RS485Line:
    rts_level_for_tx: bool = True
    rts_level_for_rx: bool = False
    loopback: bool = False
    delay_before_tx: float | None = None
    delay_before_rx: float | None = None


@dataclass(frozen=True, slots=True)
class LineSettings:
    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "none"
    stopbits: float = 1.0
    rs485: RS485Line | None = None
    timeout: float = 0.2
    write_timeout: float = 2.0


class SerialPort:
    """One open port. ``read`` returns what arrived within the timeout (maybe nothing)."""

    def __init__(self, line: LineSettings) -> None:
        self.line = line
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        if self._port is not None:
            return
        line = self.line
        try:
            port = serial.serial_for_url(line.port, do_not_open=True)
            port.baudrate = line.baudrate
            port.bytesize = line.bytesize
            port.parity = PARITY[line.parity]
            port.stopbits = STOPBITS[line.stopbits]
            port.timeout = line.timeout
            port.write_timeout = line.write_timeout
            if hasattr(port, "exclusive"):
                port.exclusive = True  # a second reader would steal half the lines
            port.open()
        except (ValueError, KeyError) as exc:
            raise DriverConfigError(f"serial port {line.port}: bad line settings: {exc}") from exc
        except serial.SerialException as exc:
            raise DeviceUnreachable(line.port, None, f"cannot open: {exc}") from exc
        if line.rs485 is not None:
            r = line.rs485
            try:
                port.rs485_mode = RS485Settings(
                    rts_level_for_tx=r.rts_level_for_tx,
                    rts_level_for_rx=r.rts_level_for_rx,
                    loopback=r.loopback,
                    delay_before_tx=r.delay_before_tx,
                    delay_before_rx=r.delay_before_rx,
                )
            except (ValueError, NotImplementedError, OSError) as exc:
                port.close()
                raise DriverConfigError(
                    f"serial port {line.port} does not take RS-485 settings ({exc}); use an "
                    "adapter whose kernel driver supports RS-485 mode, or remove `rs485` from "
                    "its settings if the adapter switches direction by itself"
                ) from exc
        self._port = port

    def read(self) -> bytes:
        """Bytes that arrived within the timeout; :class:`DeviceUnreachable` if the port went."""
        port = self._require()
        try:
            waiting = port.in_waiting
            return bytes(port.read(max(1, waiting)))
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise DeviceUnreachable(self.line.port, None, f"port lost: {exc}") from exc

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise DeviceUnreachable(self.line.port, None, f"write failed: {exc}") from exc

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass  # the port is gone already; nothing left to release

    def _require(self) -> serial.Serial:
        if self._port is None:
            self.open()
        assert self._port is not None
        return self._port
