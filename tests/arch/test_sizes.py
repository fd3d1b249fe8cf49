"""Room sizes: no module over 700 lines outside migrations, at most 12 loose modules in the
gateway (everything else lives in a package named after its concern)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 700
MAX_LOOSE_GATEWAY_MODULES = 12
PACKAGES = (
    "shiftgate_types",
    "drivers",
    "scheduler",
    "hrcore",
    "gateway",
    "bench",
    "tests",
    "examples",
)


def long_modules(root: Path = ROOT) -> dict[str, int]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if "/migrations/" in rel:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                found[rel] = lines
    return found


def test_no_module_is_over_700_lines() -> None:
    assert long_modules() == {}, "split these into a package of modules, one per concern"


def test_the_checker_counts_lines(tmp_path: Path) -> None:
    (tmp_path / "hrcore" / "migrations").mkdir(parents=True)
    (tmp_path / "hrcore" / "big.py").write_text("x = 1\n" * 701)
    (tmp_path / "hrcore" / "ok.py").write_text("x = 1\n" * 700)
    (tmp_path / "hrcore" / "migrations" / "0001.py").write_text("x = 1\n" * 900)
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
    assert long_modules(tmp_path) == {"hrcore/big.py": 701}


def test_the_gateway_has_at_most_12_loose_modules() -> None:
    loose = sorted(p.name for p in (ROOT / "gateway").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_GATEWAY_MODULES, loose
