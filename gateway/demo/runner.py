"""Runs the demo steps in order against one throwaway work folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
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


@dataclass(frozen=True, slots=True)
class StageTime:
    number: int
    title: str
    seconds: float


def _progress(console: Console) -> Progress:
    """One bar across the stages, drawn below their output; gone once the demo is done (on a
    terminal only: piped output gets no bar)."""
    return Progress(
        SpinnerColumn(),
        BarColumn(bar_width=20),
        TimeElapsedColumn(),
        TextColumn("[bold]{task.description}"),
        console=console,
        transient=True,
    )


def run_demo(
    steps: Sequence[DemoStep], ctx: DemoContext, *, clock: Callable[[], float] = time.monotonic
) -> tuple[StageTime, ...]:
    """Every step under its numbered rule; returns how long each took."""
    times: list[StageTime] = []
    with _progress(ctx.console) as progress:
        task = progress.add_task("", total=len(steps))
        for number, step in enumerate(steps, start=1):
            progress.update(task, description=f"{number}/{len(steps)} {step.title}"[:36])
            ctx.console.print(Rule(f"[bold]{number}. {step.title}"))
            started = clock()
            step.run(ctx)
            times.append(StageTime(number, step.title, clock() - started))
            progress.advance(task)
    return tuple(times)
