"""The YAML column mapping of an import: which file column feeds which field of a table.

```yaml
table: kpis                 # employees | leave | courses | completions | kpis | surveys
sheet: KPI                  # XLSX only; default: the first sheet
date_format: "%d/%m/%Y"     # default: ISO 8601 (2026-09-30)
columns:                    # field: header of the file's column
  employee: Emp No
  period: Month
  kpi: Metric
  value: Actual
defaults:                   # a fixed value for a field the file has no column for
  site: WH1
values:                     # cell translations, per field
  kind: {Annual Leave: annual, Sick Leave: sick}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hrcore.people.errors import ConfigInvalid
from hrcore.people.records import ImportTable


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    PERCENT = "percent"  # a decimal 0..100 (a trailing % is accepted)
    BOOL = "bool"
    LIST = "list"  # separated by ; or ,
    PERIOD = "period"  # YYYY-MM
    LEAVE_KIND = "leave_kind"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool = False


_T, _D = FieldType.TEXT, FieldType.DATE

#: the fields of every table, required first
FIELDS: Mapping[ImportTable, tuple[FieldSpec, ...]] = {
    ImportTable.EMPLOYEES: (
        FieldSpec("code", _T, True),
        FieldSpec("name", _T, True),
        FieldSpec("hire_date", _D, True),
        FieldSpec("site", _T, True),
        FieldSpec("org_unit", _T),
        FieldSpec("job_title", _T),
        FieldSpec("skills", FieldType.LIST),
        FieldSpec("exit_date", _D),
    ),
    ImportTable.LEAVE: (
        FieldSpec("employee", _T, True),
        FieldSpec("kind", FieldType.LEAVE_KIND, True),
        FieldSpec("start", _D, True),
        FieldSpec("end", _D, True),
        FieldSpec("approved", FieldType.BOOL),
        FieldSpec("note", _T),
    ),
    ImportTable.COURSES: (
        FieldSpec("code", _T, True),
        FieldSpec("title", _T, True),
        FieldSpec("hours", FieldType.DECIMAL),
    ),
    ImportTable.COMPLETIONS: (
        FieldSpec("employee", _T, True),
        FieldSpec("course", _T, True),
        FieldSpec("percent", FieldType.PERCENT, True),
        FieldSpec("completed_on", _D),
    ),
    ImportTable.KPIS: (
        FieldSpec("employee", _T, True),
        FieldSpec("period", FieldType.PERIOD, True),
        FieldSpec("kpi", _T, True),
        FieldSpec("value", FieldType.DECIMAL, True),
    ),
    ImportTable.SURVEYS: (
        FieldSpec("employee", _T, True),
        FieldSpec("period", FieldType.PERIOD, True),
        FieldSpec("wellbeing", FieldType.DECIMAL),
        FieldSpec("under_pressure", FieldType.BOOL),
    ),
}


class _MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: ImportTable
    sheet: str | None = None
    date_format: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """A validated mapping: every field it names exists, every required field is fed."""

    table: ImportTable
    columns: Mapping[str, str]  # field -> file header
    defaults: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]
    sheet: str | None = None
    date_format: str | None = None
    source: str = ""

    def spec(self, name: str) -> FieldSpec:
        for spec in FIELDS[self.table]:
            if spec.name == name:
                return spec
        raise KeyError(name)


def mapping_from_dict(raw: Any, source: str = "mapping") -> ColumnMapping:
    """Validate a parsed YAML mapping; :class:`ConfigInvalid` names the key that is wrong."""
    try:
        parsed = _MappingFile.model_validate(raw)
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise ConfigInvalid(f"{source}: {detail}") from exc
    known = {spec.name for spec in FIELDS[parsed.table]}
    problems: list[str] = []
    for section in ("columns", "defaults", "values"):
        for name in getattr(parsed, section):
            if name not in known:
                problems.append(
                    f"{section}.{name}: table {parsed.table} has no field {name!r}; "
                    f"its fields are {', '.join(sorted(known))}"
                )
    for spec in FIELDS[parsed.table]:
        if spec.required and spec.name not in parsed.columns and spec.name not in parsed.defaults:
            problems.append(
                f"columns.{spec.name}: required by table {parsed.table}; "
                f"name the file's column (or give defaults.{spec.name})"
            )
    if problems:
        raise ConfigInvalid(f"{source}: " + "; ".join(problems))
    return ColumnMapping(
        table=parsed.table,
        columns=dict(parsed.columns),
        defaults=dict(parsed.defaults),
        values={k: dict(v) for k, v in parsed.values.items()},
        sheet=parsed.sheet,
        date_format=parsed.date_format,
        source=source,
    )


def load_mapping(path: Path) -> ColumnMapping:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigInvalid(f"{path}: cannot read the mapping ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigInvalid(f"{path}: not valid YAML ({exc})") from exc
    return mapping_from_dict(raw, str(path))
