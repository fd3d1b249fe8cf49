"""Generic CSV/TSV attendance exports with a configurable column mapping.

Vendor software exports punches with locale-dependent headers and time formats, so the mapping
names the columns (by header text, or by 0-based index when the file has no header), the
timestamp format (``strptime``), and how state / verify texts map to codes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, tzinfo

from pydantic import BaseModel, ConfigDict, Field

from drivers.errors import DriverConfigError
from drivers.files.attlog import RecordError, parse_user
from drivers.localtime import attach_zone
from drivers.punch import Punch, PunchState, VerifyMode

Column = str | int

DEFAULT_STATES: dict[str, PunchState] = {
    "c/in": PunchState.IN,
    "check in": PunchState.IN,
    "check-in": PunchState.IN,
    "in": PunchState.IN,
    "0": PunchState.IN,
    "c/out": PunchState.OUT,
    "check out": PunchState.OUT,
    "check-out": PunchState.OUT,
    "out": PunchState.OUT,
    "1": PunchState.OUT,
    "break out": PunchState.BREAK_OUT,
    "2": PunchState.BREAK_OUT,
    "break in": PunchState.BREAK_IN,
    "3": PunchState.BREAK_IN,
    "overtime in": PunchState.OVERTIME_IN,
    "ot in": PunchState.OVERTIME_IN,
    "4": PunchState.OVERTIME_IN,
    "overtime out": PunchState.OVERTIME_OUT,
    "ot out": PunchState.OVERTIME_OUT,
    "5": PunchState.OVERTIME_OUT,
    "上班签到": PunchState.IN,
    "下班签退": PunchState.OUT,
}

DEFAULT_VERIFY_MODES: dict[str, VerifyMode] = {
    "fp": VerifyMode.FINGERPRINT,
    "fingerprint": VerifyMode.FINGERPRINT,
    "card": VerifyMode.CARD,
    "password": VerifyMode.PASSWORD,
    "pwd": VerifyMode.PASSWORD,
    "face": VerifyMode.FACE,
    "palm": VerifyMode.PALM,
}


class CsvMapping(BaseModel):
    """Which column holds what. Columns are header names, or 0-based indexes without header."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: Column = Field(description="column of the device user id (PIN / AC-No.)")
    timestamp: Column = Field(description="column of the punch time (or time of day with date)")
    date: Column | None = Field(
        default=None, description="column of the date when date and time are separate"
    )
    state: Column | None = None
    verify: Column | None = None
    timestamp_format: str = Field(
        default="%Y-%m-%d %H:%M:%S",
        description="strptime format of the timestamp (of 'date time' when date is set)",
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    sheet: str | None = Field(default=None, description="XLSX: the sheet (default: the first)")
    has_header: bool = True
    states: dict[str, PunchState] = Field(default_factory=lambda: dict(DEFAULT_STATES))
    verify_modes: dict[str, VerifyMode] = Field(default_factory=lambda: dict(DEFAULT_VERIFY_MODES))


@dataclass(frozen=True, slots=True)
class ColumnIndexes:
    user: int
    timestamp: int
    date: int | None
    state: int | None
    verify: int | None


def resolve_columns(mapping: CsvMapping, header: list[str] | None, source: str) -> ColumnIndexes:
    """Header names -> indexes; a missing column is a configuration error naming the columns."""
    names = [h.strip().lstrip("\ufeff") for h in header] if header is not None else None

    def index(column: Column | None, role: str) -> int | None:
        if column is None:
            return None
        if isinstance(column, int):
            if column < 0:
                raise DriverConfigError(f"csv.{role}: column index must be >= 0, got {column}")
            return column
        if names is None:
            raise DriverConfigError(
                f"csv.{role}: {column!r} is a column name but csv.has_header is false; "
                "use a 0-based column index"
            )
        folded = [n.casefold() for n in names]
        if column.strip().casefold() not in folded:
            raise DriverConfigError(
                f"{source}: no column {column!r} for csv.{role}; the header has: "
                + ", ".join(repr(n) for n in names)
            )
        return folded.index(column.strip().casefold())

    user = index(mapping.user, "user")
    stamp = index(mapping.timestamp, "timestamp")
    assert user is not None and stamp is not None  # required fields
    return ColumnIndexes(
        user=user,
        timestamp=stamp,
        date=index(mapping.date, "date"),
        state=index(mapping.state, "state"),
        verify=index(mapping.verify, "verify"),
    )


def split_line(line: str, mapping: CsvMapping) -> list[str]:
    try:
        rows = list(csv.reader([line], delimiter=mapping.delimiter, strict=True))
    except csv.Error as exc:
        raise RecordError(f"not a valid CSV line: {exc}") from exc
    if len(rows) != 1:
        raise RecordError("not a single CSV record (quoted line breaks are not supported)")
    return rows[0]


def parse_row(
    fields: list[str],
    line: str,
    *,
    mapping: CsvMapping,
    columns: ColumnIndexes,
    device_sn: str,
    zone: tzinfo,
    source: str,
) -> Punch:
    def cell(i: int | None, role: str) -> str | None:
        if i is None:
            return None
        if i >= len(fields):
            raise RecordError(f"has {len(fields)} columns, the {role} column is number {i + 1}")
        return fields[i].strip()

    user = parse_user(cell(columns.user, "user") or "")
    stamp = cell(columns.timestamp, "timestamp") or ""
    day = cell(columns.date, "date")
    text = f"{day} {stamp}" if day is not None else stamp
    try:
        wall = datetime.strptime(text, mapping.timestamp_format)  # noqa: DTZ007 - zone below
    except ValueError as exc:
        raise RecordError(
            f"time {text!r} does not match the format {mapping.timestamp_format!r}"
        ) from exc
    state = PunchState.UNDEFINED
    state_text = cell(columns.state, "state")
    if state_text:
        states = {k.casefold(): v for k, v in mapping.states.items()}
        if state_text.casefold() not in states:
            raise RecordError(f"state {state_text!r} is unknown; map it under csv.states")
        state = states[state_text.casefold()]
    verify = VerifyMode.UNKNOWN
    verify_text = cell(columns.verify, "verify")
    if verify_text:
        verify = {k.casefold(): v for k, v in mapping.verify_modes.items()}.get(
            verify_text.casefold(), VerifyMode.OTHER
        )
    local = wall.astimezone(zone) if wall.tzinfo is not None else attach_zone(wall, zone)
    return Punch(
        device_sn=device_sn,
        device_user=user,
        local=local,
        state=state,
        verify_mode=verify,
        source=source,
        raw=line,
    )
