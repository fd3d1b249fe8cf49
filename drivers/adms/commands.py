"""Server -> device commands of the PUSH protocol: what the gateway queues, as the exact text
after ``C:<id>:`` on a getrequest answer, and their parsing on the device side (simulator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from drivers.adms.codec import parse_kv_fields
from drivers.errors import ProtocolViolation
from drivers.punch import DeviceUser
from drivers.zkteco.timecodec import pack_time_value

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: Return codes of a devicecmd result line
RETURN_OK = 0
RETURN_PARAMETER_ERROR = -1
RETURN_NO_DATA = -4
RETURN_USER_NOT_FOUND = -10
RETURN_UNKNOWN_COMMAND = -22


class CommandKind(StrEnum):
    USER_UPDATE = "user_update"
    USER_DELETE = "user_delete"
    SET_OPTION = "set_option"
    SET_TIME = "set_time"
    QUERY_ATTLOG = "query_attlog"
    CLEAR_LOG = "clear_log"
    INFO = "info"
    CHECK = "check"
    REBOOT = "reboot"


@dataclass(frozen=True, slots=True)
class Command:
    kind: CommandKind
    text: str  # what follows ``C:<id>:``


def _clean(value: str, what: str) -> str:
    if any(ch in value for ch in "\t\r\n"):
        raise ProtocolViolation(f"{what} {value!r} contains a TAB or line break")
    return value


def user_update(user: DeviceUser) -> Command:
    fields = [
        f"PIN={_clean(user.user_id, 'user id')}",
        f"Name={_clean(user.name, 'name')}",
        f"Pri={user.privilege}",
        f"Passwd={_clean(user.password or '', 'password')}",
        f"Card={_clean(user.card or '', 'card')}",
        f"Grp={_clean(user.group or '1', 'group')}",
    ]
    return Command(CommandKind.USER_UPDATE, "DATA UPDATE USERINFO " + "\t".join(fields))


def user_delete(user_id: str) -> Command:
    return Command(
        CommandKind.USER_DELETE, f"DATA DELETE USERINFO PIN={_clean(user_id, 'user id')}"
    )


def set_option(key: str, value: str) -> Command:
    if not re.fullmatch(r"[~A-Za-z0-9_]+", key):
        raise ProtocolViolation(f"option name {key!r} must be letters, digits or _")
    return Command(CommandKind.SET_OPTION, f"SET OPTION {key}={_clean(value, 'option value')}")


SET_TIME_PREFIX = "SET OPTION DateTime="


def set_time(wall: datetime) -> Command:
    """The device clock to ``wall`` (its local time), as the packed integer firmware reads."""
    return Command(CommandKind.SET_TIME, f"{SET_TIME_PREFIX}{pack_time_value(wall)}")


def query_attlog(start: datetime, end: datetime) -> Command:
    """Re-send the log between two device-local times (backfill)."""
    return Command(
        CommandKind.QUERY_ATTLOG,
        f"DATA QUERY ATTLOG StartTime={start.strftime(TIME_FORMAT)}\t"
        f"EndTime={end.strftime(TIME_FORMAT)}",
    )


def clear_log() -> Command:
    return Command(CommandKind.CLEAR_LOG, "CLEAR LOG")


def info() -> Command:
    return Command(CommandKind.INFO, "INFO")


def check() -> Command:
    return Command(CommandKind.CHECK, "CHECK")


def reboot() -> Command:
    return Command(CommandKind.REBOOT, "REBOOT")


# -- device side -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParsedCommand:
    id: int
    verb: str  # first word: DATA, CLEAR, SET, INFO, CHECK, REBOOT...
    text: str


_LINE = re.compile(r"^C:(-?[0-9]{1,12}):(.*)$")


def parse_command_lines(text: str) -> list[ParsedCommand]:
    """``C:<id>:<command>`` lines of a getrequest answer (``OK`` and blank lines skipped)."""
    out = []
    for raw in re.split(r"\r\n|\n|\r", text):
        match = _LINE.match(raw.strip())
        if match is None:
            continue
        body = match.group(2).strip()
        out.append(ParsedCommand(int(match.group(1)), body.split(" ", 1)[0].upper(), body))
    return out


def command_fields(text: str) -> dict[str, str]:
    """The ``Key=Value`` fields of a command (after its verb words), keys lower-cased."""
    head = re.match(r"^(?:[A-Z_]+ )+", text)
    rest = text[head.end() :] if head else text
    return parse_kv_fields(rest)
