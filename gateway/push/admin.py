"""What an operator does with push devices from the CLI: list them, admit a quarantined
serial, queue a command. Functions over :class:`PushStore`; the CLI only prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from drivers.adms import commands
from drivers.adms.commands import Command
from gateway.config.service import DeviceSpec
from gateway.errors import BadInput
from gateway.push.store import CommandStatus, PushStore

#: the backfill a clear-log asks for first: every record the device could hold
_EPOCH = datetime(2000, 1, 1)  # noqa: DTZ001 - device wall time


class CommandName(StrEnum):
    INFO = "info"
    CHECK = "check"
    REBOOT = "reboot"
    SET_TIME = "set-time"
    SET_OPTION = "set-option"
    BACKFILL = "backfill"
    CLEAR_LOG = "clear-log"


@dataclass(frozen=True, slots=True)
class DeviceRow:
    serial: str
    name: str
    driver: str
    status: str  # configured (pull) / configured / admitted / quarantined / refused / ...
    address: str
    last_seen: datetime | None
    pending_commands: int


def device_rows(specs: Sequence[DeviceSpec], store: PushStore) -> list[DeviceRow]:
    """Configured devices first (with what push.db knows of them), then unknown serials."""
    seen = {d.serial: d for d in store.devices()}
    pending: dict[str, int] = {}
    for c in store.commands():
        if c.status in (CommandStatus.QUEUED, CommandStatus.SENT, CommandStatus.HELD):
            pending[c.serial] = pending.get(c.serial, 0) + 1
    rows = []
    for spec in specs:
        push = seen.pop(spec.serial, None)
        rows.append(
            DeviceRow(
                spec.serial,
                spec.name,
                spec.driver,
                "configured",
                push.address if push else spec.address,
                push.last_seen if push else None,
                pending.get(spec.serial, 0),
            )
        )
    for d in seen.values():
        rows.append(
            DeviceRow(
                d.serial,
                "",
                d.family,
                d.status.value,
                d.address,
                d.last_seen,
                pending.get(d.serial, 0),
            )
        )
    return rows


def queue_command(
    store: PushStore,
    serial: str,
    name: CommandName,
    *,
    zone: ZoneInfo,
    clock: Callable[[], datetime],
    option: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[int]:
    """Queue one operator command; returns the queued ids (a clear-log queues two)."""
    now_wall = clock().astimezone(zone).replace(tzinfo=None, microsecond=0)
    command: Command
    if name == CommandName.CLEAR_LOG:
        backfill = commands.query_attlog(_EPOCH, now_wall + timedelta(days=1))
        return list(store.enqueue_clear_log(serial, backfill, commands.clear_log()))
    if name == CommandName.INFO:
        command = commands.info()
    elif name == CommandName.CHECK:
        command = commands.check()
    elif name == CommandName.REBOOT:
        command = commands.reboot()
    elif name == CommandName.SET_TIME:
        command = commands.set_time(now_wall)
    elif name == CommandName.SET_OPTION:
        key, sep, value = (option or "").partition("=")
        if not sep or not key:
            raise BadInput("set-option needs --option KEY=VALUE, e.g. --option Delay=30")
        command = commands.set_option(key.strip(), value.strip())
    else:  # BACKFILL
        if start is None or end is None or end < start:
            raise BadInput("backfill needs --from and --to (device-local times, from <= to)")
        command = commands.query_attlog(start, end)
    return [store.enqueue(serial, command)]
