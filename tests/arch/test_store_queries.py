"""The gateway asks the HR store's functions (hrcore/store/) and builds no ORM query itself.

The demo and the test harnesses may look into the store directly; so may the warehouse
benchmark's seeding of leave (a test fixture of the roster bench, not a user path)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: modules allowed to build queries: display-only or test/bench seeding code
ALLOWED = ("gateway/demo/", "gateway/testing/", "gateway/roster/warehouse.py")
QUERY_BUILDERS = {"select", "insert", "update", "delete"}


def query_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("sqlalchemy")
        ):
            found += [a.name for a in node.names if a.name in QUERY_BUILDERS]
    return found


def test_the_gateway_builds_no_orm_query_outside_the_store() -> None:
    offenders = {}
    for path in sorted((ROOT / "gateway").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ALLOWED):
            continue
        if names := query_imports(path):
            offenders[rel] = names
    assert offenders == {}, "move these queries into hrcore/store/ and call the function"


def test_the_check_sees_a_query_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from sqlalchemy import func, select\nfrom sqlalchemy.orm import Session\n")
    assert query_imports(module) == ["select"]
