"""House style gate: ruff's lint rules (pyproject [tool.ruff]) and formatting hold everywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ruff_lint_is_clean() -> None:
    result = run_ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run_ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
