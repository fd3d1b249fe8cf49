"""Demand files: layering of base / weekday / peak / date, and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gateway.errors import DemandFileError
from gateway.roster.demand import load_demand, parse_demand

TEXT = """\
under_weight: 700
base:
  D: {picker: {min: 8, target: 10, max: 12}, any: {target: 1}}
weekdays:
  sat: {D: {picker: {min: 10, target: 12}}}
peaks:
  - {name: "11.11", from: 2026-11-10, to: 2026-11-11, factor: 1.25}
dates:
  2026-11-11: {D: {picker: {min: 1, target: 2, max: 3}}}
"""


def counts(day: date) -> dict[tuple[str, str | None], tuple[int, int, int | None]]:
    lines = parse_demand(TEXT, source="t.yaml").lines(day, 1)
    assert {ln.under_weight for ln in lines} == {700}
    return {(ln.shift_id, ln.skill): (ln.minimum, ln.target, ln.maximum) for ln in lines}


def test_layers_resolve_in_order() -> None:
    assert counts(date(2026, 11, 9)) == {
        ("D", None): (0, 1, None),
        ("D", "picker"): (8, 10, 12),
    }  # Monday: base
    assert counts(date(2026, 11, 14))[("D", "picker")] == (10, 12, None)  # Saturday
    # peak: x1.25 rounded up, also the 'any' line
    assert counts(date(2026, 11, 10)) == {("D", None): (0, 2, None), ("D", "picker"): (10, 13, 15)}
    # a date entry is taken literally, even inside the peak; other lines keep the peak
    assert counts(date(2026, 11, 11)) == {("D", None): (0, 2, None), ("D", "picker"): (1, 2, 3)}


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DemandFileError, match=r"cannot read demand file .*nope\.yaml"):
        load_demand(tmp_path / "nope.yaml")
    (tmp_path / "e.yaml").write_text("", encoding="utf-8")
    with pytest.raises(DemandFileError, match=r"e\.yaml: the file is empty"):
        load_demand(tmp_path / "e.yaml")
    with pytest.raises(DemandFileError, match=r"x\.yaml: peaks\[0\]: peak 'p'"):
        parse_demand(
            "peaks: [{name: p, from: 2026-01-02, to: 2026-01-01, factor: 2}]", source="x.yaml"
        )
    with pytest.raises(DemandFileError, match=r"x\.yaml: base\.D\.picker\.target: "):
        parse_demand("base: {D: {picker: {min: 1}}}", source="x.yaml")
