"""A Modbus connection (pymodbus, TCP or RTU) with pymodbus's errors translated to ours.

Requests are never repeated here (``retries=0``): a repeated coil pop would pop a second
record. A failed request raises :class:`DeviceUnreachable` and the caller reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

from drivers.errors import DeviceUnreachable, ProtocolViolation
from drivers.modbus.codec import Table


@dataclass(frozen=True, slots=True)
class Link:
    transport: str  # "tcp" or "rtu"
    host: str
    port: int
    serial_port: str
    baudrate: int
    parity: str
    stopbits: int
    bytesize: int
    unit: int
    timeout: float

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.transport == "tcp" else self.serial_port


class ModbusLink:
    def __init__(self, link: Link) -> None:
        self.link = link
        self._client: ModbusTcpClient | ModbusSerialClient | None = None

    def _connected(self) -> ModbusTcpClient | ModbusSerialClient:
        if self._client is not None:
            return self._client
        lk = self.link
        client: ModbusTcpClient | ModbusSerialClient
        if lk.transport == "tcp":
            client = ModbusTcpClient(lk.host, port=lk.port, timeout=lk.timeout, retries=0)
        else:
            client = ModbusSerialClient(
                lk.serial_port,
                baudrate=lk.baudrate,
                parity=lk.parity[0].upper(),
                stopbits=lk.stopbits,
                bytesize=lk.bytesize,
                timeout=lk.timeout,
                retries=0,
            )
        if not client.connect():
            client.close()
            raise DeviceUnreachable(lk.where, None, "Modbus connection refused or timed out")
        self._client = client
        return client

    def _check(self, response: ModbusPDU, what: str) -> ModbusPDU:
        if response.isError():
            raise ProtocolViolation(
                f"Modbus device {self.link.where} unit {self.link.unit} refused {what}: "
                f"{response}; check the register map in its settings"
            )
        return response

    def read(self, table: Table, address: int, count: int) -> list[int]:
        client = self._connected()
        unit = self.link.unit
        what = f"reading {count} {table.value} register(s) at {address}"
        try:
            if table is Table.INPUT:
                rr = client.read_input_registers(address, count=count, device_id=unit)
            else:
                rr = client.read_holding_registers(address, count=count, device_id=unit)
        except ModbusException as exc:
            self.close()
            raise DeviceUnreachable(self.link.where, None, f"{what}: {exc}") from exc
        registers = list(self._check(rr, what).registers)
        if len(registers) != count:
            raise ProtocolViolation(
                f"Modbus device {self.link.where} sent {len(registers)} words, asked {count}"
            )
        return registers

    def write_registers(self, address: int, values: list[int]) -> None:
        client = self._connected()
        what = f"writing {values} to holding register {address}"
        try:
            rr = client.write_registers(address, values, device_id=self.link.unit)
        except ModbusException as exc:
            self.close()
            raise DeviceUnreachable(self.link.where, None, f"{what}: {exc}") from exc
        self._check(rr, what)

    def write_coil(self, address: int, value: bool) -> None:
        client = self._connected()
        what = f"writing {value} to coil {address}"
        try:
            rr = client.write_coil(address, value, device_id=self.link.unit)
        except ModbusException as exc:
            self.close()
            raise DeviceUnreachable(self.link.where, None, f"{what}: {exc}") from exc
        self._check(rr, what)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
