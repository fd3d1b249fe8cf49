"""The file-import driver: reads punches from an export file, remembering how far it got.

The cursor records the byte offset and line number already read plus a fingerprint of the
file's head, so re-reading a grown file returns only the new lines, and a replaced or
truncated file is read again from the start (punch ids make that harmless).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from drivers.base import Capability, Driver, ReadResult
from drivers.errors import (
    BadRecord,
    BadRecords,
    DeviceUnreachable,
    DriverConfigError,
)
from drivers.files import attlog, csvfile, xlsxfile
from drivers.files.attlog import RecordError
from drivers.files.csvfile import CsvMapping
from drivers.punch import DeviceInfo, Punch

log = logging.getLogger(__name__)

CURSOR_VERSION = "f1"
XLSX_CURSOR = "x1"
HEAD_BYTES = 1024


class FileFormat(StrEnum):
    ATTLOG = "attlog"
    CSV = "csv"
    XLSX = "xlsx"


class FileImportConfig(BaseModel):
    """Settings of one import source (a file a device exported, or a folder drop)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="the export file to read")
    serial: str = Field(
        min_length=1, max_length=64, description="serial number of the device that wrote it"
    )
    timezone: str = Field(description="IANA zone of the device's clock, e.g. Asia/Shanghai")
    format: FileFormat = FileFormat.ATTLOG
    csv: CsvMapping | None = Field(default=None, description="column mapping (format: csv)")
    encoding: str = Field(default="utf-8", description="text encoding of the file")

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA timezone name such as 'Asia/Shanghai'") from exc
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"unknown text encoding {value!r}; e.g. 'utf-8', 'gbk'") from exc
        return value

    @model_validator(mode="after")
    def _csv_needs_mapping(self) -> Self:
        if self.format in (FileFormat.CSV, FileFormat.XLSX) and self.csv is None:
            raise ValueError(
                f"format {self.format.value} needs a 'csv' column mapping (user, timestamp, ...)"
            )
        return self


@dataclass(frozen=True, slots=True)
class Position:
    offset: int  # bytes already read
    line: int  # lines already read
    head: str  # fingerprint of the first min(offset, HEAD_BYTES) bytes

    def encode(self) -> str:
        return f"{CURSOR_VERSION}:{self.offset}:{self.line}:{self.head}"

    @classmethod
    def decode(cls, cursor: str) -> Position:
        parts = cursor.split(":")
        if len(parts) != 4 or parts[0] != CURSOR_VERSION:
            raise DriverConfigError(f"cursor {cursor!r} was not made by the file-import driver")
        try:
            return cls(int(parts[1]), int(parts[2]), parts[3])
        except ValueError as exc:
            raise DriverConfigError(f"cursor {cursor!r} is damaged") from exc


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data[:HEAD_BYTES]).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FileRead:
    """Everything one read found: good punches, every malformed line, and the next cursor."""

    punches: list[Punch]
    errors: list[BadRecord]
    cursor: str
    lines_read: int


class FileImportDriver(Driver):
    family: ClassVar[str] = "files"
    description: ClassVar[str] = "ZKTeco USB attlog.dat, CSV and XLSX exports (column mapping)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PULL})
    config_model: ClassVar[type[BaseModel]] = FileImportConfig

    def __init__(self, config: BaseModel) -> None:
        if not isinstance(config, FileImportConfig):
            raise DriverConfigError("FileImportDriver needs a FileImportConfig")
        super().__init__(config)
        self.settings: FileImportConfig = config
        self._zone = ZoneInfo(config.timezone)

    @property
    def source_name(self) -> str:
        return str(self.settings.path)

    def info(self) -> DeviceInfo:
        return DeviceInfo(
            serial_number=self.settings.serial,
            family=self.family,
            name=self.settings.path.name,
        )

    def read_punches(self, since: str | None = None) -> ReadResult:
        """New punches since ``since``; :class:`BadRecords` (with every bad line) if any."""
        result = self.read_file(since)
        if result.errors:
            raise BadRecords(self.source_name, result.errors, list(result.punches))
        return ReadResult(punches=result.punches, cursor=result.cursor)

    def read_file(self, since: str | None = None) -> FileRead:
        """Parse the lines added since ``since``, collecting malformed ones instead of raising."""
        if self.settings.format is FileFormat.XLSX:
            return self._read_xlsx(since)
        data = self._read_bytes()
        start = Position(0, 0, _fingerprint(b""))
        if since is not None:
            pos = Position.decode(since)
            if pos.offset <= len(data) and _fingerprint(data[: pos.offset]) == pos.head:
                start = pos
            else:
                log.info("file replaced or truncated, reading again path=%s", self.source_name)
        body = data[start.offset :]
        lines = body.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the text after the last newline is empty: nothing left
        columns = None
        if self.settings.format is FileFormat.CSV:
            assert self.settings.csv is not None
            header = self._header(data)
            columns = csvfile.resolve_columns(self.settings.csv, header, self.source_name)
        punches: list[Punch] = []
        errors: list[BadRecord] = []
        for number, raw in enumerate(lines, start=start.line + 1):
            if number == 1 and self._skips_first_line():
                continue
            try:
                text = self._decode(raw, first=number == 1)
                if not text.strip():
                    continue
                punches.append(self._parse(text, columns))
            except RecordError as exc:
                errors.append(BadRecord(self.source_name, number, str(exc)))
        end = Position(len(data), start.line + len(lines), _fingerprint(data))
        if errors:
            log.warning("malformed lines path=%s n=%d", self.source_name, len(errors))
        return FileRead(punches, errors, end.encode(), len(lines))

    def _read_xlsx(self, since: str | None) -> FileRead:
        """Rows of the sheet after those ``since`` covers (all of them when the rows it
        covers changed: the export was replaced)."""
        mapping = self.settings.csv
        assert mapping is not None
        if not self.settings.path.exists():
            raise DeviceUnreachable(self.source_name, None, "file not found")
        header, rows = xlsxfile.read_rows(self.settings.path, mapping.sheet)
        columns = csvfile.resolve_columns(
            mapping, header if mapping.has_header else None, self.source_name
        )
        data = list(xlsxfile.iter_data(rows, mapping.has_header))
        done = 0
        if since is not None:
            parts = since.split(":")
            if len(parts) != 3 or parts[0] != XLSX_CURSOR or not parts[1].isdigit():
                raise DriverConfigError(f"cursor {since!r} was not made for an XLSX file")
            n = int(parts[1])
            if n <= len(data) and xlsxfile.fingerprint(data[:n]) == parts[2]:
                done = n
            else:
                log.info("workbook replaced, reading again path=%s", self.source_name)
        punches: list[Punch] = []
        errors: list[BadRecord] = []
        for row in data[done:]:
            try:
                fields, row_mapping = xlsxfile.as_fields(row, mapping, columns)
                punches.append(
                    csvfile.parse_row(
                        fields,
                        row.text(),
                        mapping=row_mapping,
                        columns=columns,
                        device_sn=self.settings.serial,
                        zone=self._zone,
                        source="file:xlsx",
                    )
                )
            except RecordError as exc:
                errors.append(BadRecord(self.source_name, row.number, str(exc)))
        cursor = f"{XLSX_CURSOR}:{len(data)}:{xlsxfile.fingerprint(data)}"
        if errors:
            log.warning("malformed rows path=%s n=%d", self.source_name, len(errors))
        return FileRead(punches, errors, cursor, len(data) - done)

    # -- helpers -------------------------------------------------------------------------------
    def _read_bytes(self) -> bytes:
        try:
            return self.settings.path.read_bytes()
        except FileNotFoundError as exc:
            raise DeviceUnreachable(self.source_name, None, "file not found") from exc
        except IsADirectoryError as exc:
            raise DriverConfigError(f"{self.source_name} is a folder; name the file") from exc
        except OSError as exc:
            raise DeviceUnreachable(self.source_name, None, f"cannot read: {exc}") from exc

    def _skips_first_line(self) -> bool:
        return self.settings.format is FileFormat.CSV and bool(
            self.settings.csv is not None and self.settings.csv.has_header
        )

    def _header(self, data: bytes) -> list[str] | None:
        assert self.settings.csv is not None
        if not self.settings.csv.has_header:
            return None
        first = data.split(b"\n", 1)[0]
        try:
            text = self._decode(first, first=True)
            return csvfile.split_line(text, self.settings.csv)
        except RecordError as exc:
            raise DriverConfigError(
                f"{self.source_name}:1: cannot read the CSV header: {exc}"
            ) from exc

    def _decode(self, raw: bytes, *, first: bool) -> str:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode(self.settings.encoding)
        except UnicodeDecodeError as exc:
            raise RecordError(
                f"not {self.settings.encoding} text (set 'encoding' for this file)"
            ) from exc
        if "\x00" in text:
            raise RecordError("contains NUL bytes (is this a binary file?)")
        return text

    def _parse(self, text: str, columns: csvfile.ColumnIndexes | None) -> Punch:
        sn, zone = self.settings.serial, self._zone
        if self.settings.format is FileFormat.ATTLOG:
            return attlog.parse_line(text, device_sn=sn, zone=zone, source="file:attlog")
        assert self.settings.csv is not None and columns is not None
        fields = csvfile.split_line(text, self.settings.csv)
        return csvfile.parse_row(
            fields,
            text,
            mapping=self.settings.csv,
            columns=columns,
            device_sn=sn,
            zone=zone,
            source="file:csv",
        )
