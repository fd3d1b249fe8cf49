"""An HR import end to end: the file read through its YAML mapping, every row checked
against the store, then stored whole (or, on a dry run or any problem, nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from hrcore.people.mapping import load_mapping
from hrcore.people.reading import read_sheet
from hrcore.people.records import ImportTable
from hrcore.people.validation import ImportCheck, check_import
from hrcore.store.people import ImportOutcome, apply_import, known_codes


class MappingMismatch(ValueError):
    """The mapping file is for another table than the command names."""


@dataclass(frozen=True, slots=True)
class ImportRun:
    check: ImportCheck
    outcome: ImportOutcome | None  # None: dry run, or problems (nothing stored)


def run_import(
    session: Session,
    table: ImportTable,
    path: Path,
    mapping_path: Path,
    *,
    dry_run: bool,
    actor: str,
    at: datetime,
    kpis: frozenset[str] | None = None,
) -> ImportRun:
    """Check ``path``; unless ``dry_run`` or a problem was found, store it in the caller's
    transaction. Raises :class:`hrcore.people.errors.PeopleError` for an unusable mapping or
    file, :class:`MappingMismatch` when the mapping is for another table."""
    mapping = load_mapping(mapping_path)
    if mapping.table is not table:
        raise MappingMismatch(
            f"{mapping_path} maps table {mapping.table.value}, not {table.value}; "
            f"run `shiftgate import {mapping.table.value} ...` or pick the right mapping"
        )
    sheet = read_sheet(path, sheet=mapping.sheet)
    check = check_import(sheet, mapping, known_codes(session, kpis=kpis))
    if dry_run or not check.ok:
        return ImportRun(check, None)
    return ImportRun(check, apply_import(session, check, actor=actor, at=at))
