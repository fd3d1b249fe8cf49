"""Importing an export file's punches into the HR store, all or nothing.

Malformed lines stop the import unless the caller asks to skip them; then the good lines go in
with ONE transaction. Punch ids are deterministic, so importing a file again adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from drivers.errors import BadRecord
from drivers.files.csvfile import CsvMapping
from drivers.files.driver import FileFormat, FileImportConfig, FileImportDriver
from gateway.punches.mapping import to_wire
from hrcore.errors import InvalidData
from hrcore.store import (
    AuditIn,
    check_timezone,
    find_device,
    get_site,
    insert_punches,
    record_audit,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportRequest:
    path: Path
    site_code: str
    device_serial: str
    format: FileFormat = FileFormat.ATTLOG
    timezone: str | None = None  # default: the registered device's zone, else the site's
    csv: CsvMapping | None = None
    encoding: str = "utf-8"
    skip_bad: bool = False
    actor: str = "cli"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    path: Path
    lines: int
    punches: int  # good lines
    unique: int  # distinct punch ids among them
    new: int
    bad: tuple[BadRecord, ...]
    imported: bool  # False: stopped by bad lines, nothing stored
    timezone: str
    device_registered: bool

    @property
    def already_stored(self) -> int:
        return self.unique - self.new if self.imported else 0

    @property
    def duplicate_lines(self) -> int:
        return self.punches - self.unique


def import_file(
    factory: sessionmaker[Session], request: ImportRequest, *, clock: Callable[[], datetime]
) -> ImportOutcome:
    """Read ``request.path`` and store its punches for the site; see the module docstring."""
    with factory.begin() as session:
        site = get_site(session, request.site_code)
        device = find_device(session, request.device_serial)
        if device is not None and device.site_id != site.id:
            raise InvalidData(
                f"device {request.device_serial!r} is registered at another site, "
                f"not {request.site_code!r}"
            )
        timezone = request.timezone or (device.timezone if device else site.timezone)
        check_timezone(timezone, "--tz")
        try:
            config = FileImportConfig(
                path=request.path,
                serial=request.device_serial,
                timezone=timezone,
                format=request.format,
                csv=request.csv,
                encoding=request.encoding,
            )
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise InvalidData(f"cannot import {request.path}: {reasons}") from exc
        read = FileImportDriver(config).read_file()
        unique = len({p.id for p in read.punches})
        outcome = ImportOutcome(
            path=request.path,
            lines=read.lines_read,
            punches=len(read.punches),
            unique=unique,
            new=0,
            bad=tuple(read.errors),
            imported=False,
            timezone=timezone,
            device_registered=device is not None,
        )
        if read.errors and not request.skip_bad:
            return outcome
        received_at = clock()
        rows = [
            to_wire(p, timezone=timezone, received_at=received_at).to_punch_in(
                device_id=device.id if device else None, site_id=site.id
            )
            for p in read.punches
        ]
        new = insert_punches(session, rows, clock=lambda: received_at)
        record_audit(
            session,
            AuditIn(
                at=received_at,
                actor=request.actor,
                action="punches.import",
                entity="device",
                entity_id=request.device_serial,
                detail={
                    "file": str(request.path),
                    "site": request.site_code,
                    "new": new,
                    "already_stored": unique - new,
                    "skipped_bad_lines": len(read.errors),
                },
            ),
        )
    log.info(
        "imported file=%s device=%s new=%d bad=%d",
        request.path,
        request.device_serial,
        new,
        len(read.errors),
    )
    return replace(outcome, new=new, imported=True)
