"""Every `shiftgate ...` command written in README.md and docs/ exists, with every option it
names; and the README's tour runs as written (after the demo, against its store)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from gateway.cli.main import app
from gateway.demo import STEPS

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
HISTORY = {"roster-solver-history.md"}  # commands of the past, not of this code


def _sh_blocks(text: str) -> Iterator[str]:
    for match in re.finditer(r"```sh\n(.*?)```", text, flags=re.S):
        yield match.group(1)


def _logical_lines(block: str) -> Iterator[str]:
    """Lines of a shell block with ``\\`` continuations joined and comments cut."""
    pending = ""
    for raw in block.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            yield line


def documented_commands() -> list[tuple[str, str]]:
    """(where, command) for every `shiftgate ...` in a shell block or an inline code span."""
    found = []
    for doc in DOCUMENTS:
        if doc.name in HISTORY:
            continue
        text = doc.read_text(encoding="utf-8")
        for block in _sh_blocks(text):
            for line in _logical_lines(block):
                for part in re.split(r"\s*(?:&&|;|\|)\s*", line):
                    words = part.split()
                    while words and "=" in words[0] and not words[0].startswith("-"):
                        words.pop(0)  # VAR=value prefixes
                    if words and words[0] == "shiftgate":
                        found.append((doc.name, " ".join(words)))
        for span in re.findall(r"`(shiftgate [^`]+)`", text):
            found.append((doc.name, span))
    return found


def _is_group(command: Any) -> bool:
    return isinstance(command, TyperGroup)


def _resolve(words: list[str]) -> tuple[Any, list[str]]:
    """Walk the command groups; returns the command and the words after its name.
    (Typer carries its own copy of click, so its classes are the ones to ask.)"""
    command: Any = typer.main.get_command(app)
    rest = words[1:]
    while _is_group(command) and rest and not rest[0].startswith("-"):
        sub = command.get_command(None, rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    return command, rest


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names


def test_documents_name_commands() -> None:
    assert len(documented_commands()) > 40


@pytest.mark.parametrize(
    ("where", "command"), documented_commands(), ids=lambda v: v if len(v) < 60 else v[:60]
)
def test_documented_command_exists(where: str, command: str) -> None:
    words = re.sub(r"[\[\]|]", " ", command).replace("...", " ").split()
    cmd, rest = _resolve(words)
    assert not _is_group(cmd) or not rest or rest[0].startswith("-"), (
        f"{where}: `{command}`: no command {rest[0]!r}"
    )
    if _is_group(cmd) and not rest:
        return  # a group named on its own (`shiftgate roster solve` / `publish` ...)
    known = _options(cmd)
    named = {w.split("=")[0] for w in rest if w.startswith("--")}
    assert named <= known, f"{where}: `{command}`: unknown option(s) {sorted(named - known)}"


def _tour_blocks() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = text[text.index("## A five-minute tour") : text.index("## Layout")]
    return [list(_logical_lines(b)) for b in _sh_blocks(tour)]


def _run_demo_and_serve(env: dict[str, str]) -> tuple[str, str]:
    """`shiftgate demo --port 0` as a newcomer runs it, on an 80-column terminal: wait for the
    web UI's URL, fetch its login page, press Ctrl-C. Returns (output, login page)."""
    demo = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli.main", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, **env},
    )
    lines: list[str] = []
    page = ""
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("serving the demo store"):
                url = lines[-2].split()[2]
                page = httpx.get(url + "login", timeout=30).text
                demo.send_signal(signal.SIGINT)
        rest, err = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
    assert demo.returncode == 0, err
    assert not err, err  # log lines go to var/demo.log, not between the stages
    return "\n".join(lines) + rest, page


def test_readme_tour_runs_after_the_demo(tmp_path: Path) -> None:
    """The demo runs once here: all of it, on 80 columns, ending in the web UI until Ctrl-C;
    then the tour's first two blocks, run as a newcomer would after `make demo`."""
    env = {"SHIFTGATE_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "80"}
    output, page = _run_demo_and_serve(env)
    runner = CliRunner()
    assert "1. Punches flow in" in output
    assert "462 new" in output
    assert (tmp_path / "var" / "demo" / "shiftgate.db").is_file()
    wide = [line for line in output.splitlines() if len(line) > 80]
    assert not wide, wide
    assert "…" not in output  # no table cell cut short: each table fits as it is
    assert f"Summary: {len(STEPS)} stages in" in output
    assert 'name="csrf"' in page
    assert output.splitlines()[-1] == "stopped"
    exports = tmp_path / "var" / "demo" / "exports"
    listed = output[output.index("exports (8 files)") :]
    for name in ("hours", "payroll", "roster", "risk"):
        assert f"{name}.csv {name}.xlsx" in listed
        assert (exports / f"{name}.xlsx").stat().st_size > 0
    assert (exports / "hours.csv").read_text(encoding="utf-8").count("\n") == 21
    assert (exports / "roster.csv").read_text(encoding="utf-8").count("\n") == 37
    risk = (exports / "risk.csv").read_text(encoding="utf-8")
    assert risk.count(",red,") == 2
    store, simulator = _tour_blocks()[:2]
    demo_dir = tmp_path / "var" / "demo"

    def run(line: str) -> str:
        line = line.replace("var/demo", str(demo_dir))
        line = line.replace("tests/data", str(ROOT / "tests" / "data"))
        result = runner.invoke(app, shlex.split(line)[1:], env=env)
        assert result.exit_code == 0, f"`{line}` failed:\n{result.output}"
        return result.output

    for line in store:
        if line.startswith(". "):
            continue
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.replace("var/demo", str(demo_dir))
            continue
        run(line)
    assert (demo_dir / "hours.csv").read_text(encoding="utf-8").count("\n") == 21

    start = simulator[0].removesuffix("&").strip().replace("--port 4399", "--port 0")
    sim = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli.main", *shlex.split(start)[1:]],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert sim.stdout is not None
        port = sim.stdout.readline().strip()
        assert port.isdigit(), port
        for line in simulator[1:]:
            if not line.startswith("kill"):
                run(line.replace("--port 4399", f"--port {port}"))
    finally:
        sim.terminate()
        sim.wait(10)
    assert (demo_dir / "punches.csv").read_text(encoding="utf-8").count("\n") == 501
