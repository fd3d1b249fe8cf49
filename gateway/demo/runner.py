"""Runs the demo steps in order against one throwaway work folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.rule import Rule


@dataclass(frozen=True, slots=True)
class DemoContext:
    console: Console
    workdir: Path  # fresh folder for this run (var/demo)
    database_url: str  # SQLite file inside workdir


@dataclass(frozen=True, slots=True)
class DemoStep:
    title: str
    run: Callable[[DemoContext], None]


def run_demo(steps: Sequence[DemoStep], ctx: DemoContext) -> None:
    for number, step in enumerate(steps, start=1):
        ctx.console.print(Rule(f"[bold]{number}. {step.title}"))
        step.run(ctx)
