"""Dependencies flow one way, and each package uses only the libraries it may.

- between packages: shiftgate_types (codes every layer shares) -> nothing of ours; drivers ->
  shiftgate_types; scheduler -> nothing of ours; hrcore -> itself and shiftgate_types;
  gateway -> all;
- inside the gateway: cli -> demo/testing -> service/doctor/app -> api -> the domains (devices
  -> sync -> punches; roster, attendance) -> config -> the ground floor (settings, errors,
  metrics, backoff, logging);
- third-party imports: each package has its list, and every library on a list is declared in
  pyproject.toml.

This test parses every module's imports and fails on a wrong arrow.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"shiftgate_types", "drivers", "scheduler", "hrcore", "gateway"}
FORBIDDEN = {
    "shiftgate_types": {"drivers", "scheduler", "hrcore", "gateway"},
    "drivers": {"hrcore", "gateway", "scheduler"},
    "scheduler": {"hrcore", "gateway", "drivers", "shiftgate_types"},
    "hrcore": {"gateway", "drivers", "scheduler"},
}

#: the third-party top-level modules each package may import
ALLOWED_LIBRARIES = {
    "shiftgate_types": set(),
    "drivers": {"pydantic", "serial", "pymodbus", "httpx", "openpyxl", "yaml"},
    "scheduler": {"ortools", "numpy"},
    "hrcore": {
        "sqlalchemy",
        "alembic",
        "chinese_calendar",
        "lunardate",
        "cryptography",
        "pydantic",
        "yaml",
        "openpyxl",
    },
    "gateway": {
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
        "pydantic",
        "pydantic_settings",
        "prometheus_client",
        "rich",
        "typer",
        "sqlalchemy",
        "yaml",
        "openpyxl",
        "serial",
        "pymodbus",
        "argon2",
        "jinja2",
        "markupsafe",
    },
}

#: import name -> distribution name, where they differ
DISTRIBUTION = {
    "serial": "pyserial",
    "yaml": "pyyaml",
    "chinese_calendar": "chinesecalendar",
    "pydantic_settings": "pydantic-settings",
    "prometheus_client": "prometheus-client",
    "argon2": "argon2-cffi",
    "starlette": "fastapi",  # FastAPI's own foundation, pinned by it
}

#: rank of each unit of the gateway (a subpackage or a loose module): a module may import only
#: units of a lower rank (or its own unit)
GATEWAY_RANK = {
    "cli": 60,
    "demo": 50,
    "testing": 45,
    "service": 40,
    "doctor": 40,
    "app": 35,
    "api": 30,
    "web": 32,  # pages over the API's auth and the functions its routes use
    "push": 26,
    "devices": 24,
    "sync": 22,
    "roster": 20,
    "attendance": 20,
    "punches": 20,
    "payroll": 20,
    "notify": 20,
    "people": 20,
    "auth": 15,
    "config": 10,
    "settings": 0,
    "errors": 0,
    "metrics": 0,
    "backoff": 0,
    "logging_json": 0,
}


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every absolute import of a module: (dotted name, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
    return found


def imported_top_levels(path: Path) -> set[tuple[str, int]]:
    return {(name.split(".")[0], line) for name, line in imports_of(path)}


def modules(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def violations(package: str) -> list[str]:
    bad = []
    for path in modules(package):
        for top, line in imported_top_levels(path):
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return bad


def gateway_unit(dotted: str) -> str:
    """``gateway.devices.manager`` -> ``devices``; ``gateway.errors`` -> ``errors``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "gateway"


def gateway_violations(root: Path = ROOT) -> list[str]:
    bad = []
    for path in modules("gateway", root):
        rel = path.relative_to(root).with_suffix("")
        if rel.name == "__init__" and len(rel.parts) == 2:
            continue  # gateway/__init__.py
        own = gateway_unit(".".join(rel.parts))
        for name, line in imports_of(path):
            if not name.startswith("gateway."):
                continue
            other = gateway_unit(name)
            if other == own:
                continue
            if own not in GATEWAY_RANK or other not in GATEWAY_RANK:
                bad.append(f"{path.relative_to(root)}:{line}: give {own!r}/{other!r} a rank")
            elif GATEWAY_RANK[other] >= GATEWAY_RANK[own]:
                bad.append(f"{path.relative_to(root)}:{line}: {own} imports {other} (up/sideways)")
    return bad


def library_violations(package: str) -> list[str]:
    allowed = ALLOWED_LIBRARIES[package] | OURS | set(sys.stdlib_module_names)
    bad = []
    for path in modules(package):
        for top, line in imported_top_levels(path):
            if top not in allowed:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return bad


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    names = set()
    for req in requirements:
        name = req.split(";")[0]
        for stop in "<>=![ ":
            name = name.split(stop)[0]
        names.add(name.strip().lower().replace("_", "-"))
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_dependency_direction(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert violations(package) == []


def test_gateway_imports_run_one_way() -> None:
    assert gateway_violations() == []


@pytest.mark.parametrize("package", sorted(ALLOWED_LIBRARIES))
def test_package_uses_only_its_libraries(package: str) -> None:
    assert library_violations(package) == []


def test_every_allowed_library_is_declared() -> None:
    declared = declared_distributions()
    libraries = set().union(*ALLOWED_LIBRARIES.values())
    missing = sorted(
        lib for lib in libraries if DISTRIBUTION.get(lib, lib).replace("_", "-") not in declared
    )
    assert missing == []


def test_checker_catches_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("import os\nfrom gateway.settings import Settings\nimport hrcore.db as d\n")
    tops = {t for t, _ in imported_top_levels(bad)}
    assert {"gateway", "hrcore"} <= tops


def test_gateway_ranks_catch_an_import_up(tmp_path: Path) -> None:
    devices = tmp_path / "gateway" / "devices"
    devices.mkdir(parents=True)
    (devices / "worker.py").write_text(
        "from gateway.sync.outbox import Outbox\nfrom gateway.cli.main import app\n"
    )
    (tmp_path / "gateway" / "errors.py").write_text("from gateway.devices.worker import x\n")
    assert gateway_violations(tmp_path) == [
        "gateway/devices/worker.py:2: devices imports cli (up/sideways)",
        "gateway/errors.py:1: errors imports devices (up/sideways)",
    ]
