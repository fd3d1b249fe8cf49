"""Dependencies flow one way: drivers -> nothing; scheduler -> nothing; hrcore -> itself;
gateway -> all. This test parses every module's imports and fails on a wrong arrow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "drivers": {"hrcore", "gateway", "scheduler"},
    "scheduler": {"hrcore", "gateway", "drivers"},
    "hrcore": {"gateway", "drivers", "scheduler"},
}


def imported_top_levels(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for top, line in imported_top_levels(path):
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_dependency_direction(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert violations(package) == []


def test_checker_catches_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("import os\nfrom gateway.settings import Settings\nimport hrcore.db as d\n")
    tops = {t for t, _ in imported_top_levels(bad)}
    assert {"gateway", "hrcore"} <= tops
