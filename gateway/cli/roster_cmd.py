"""`shiftgate roster ...`: Roster solver: solve, publish."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gateway.cli import roster_store_cmd as store_roster
from gateway.cli.console import make_console
from gateway.roster.render import building_words
from scheduler import curtois
from scheduler.errors import SchedulerError
from scheduler.model import Building, Progress, SolveOptions, SolveResult, SolveStatus
from scheduler.solve import solve

app = typer.Typer(help="Roster solver: solve, publish.", no_args_is_help=True)


#: seconds between two lines about the first roster's construction
BUILDING_EVERY_S = 5.0


def progress_printer(console: Console) -> Callable[[Progress], None]:
    def show(p: Progress) -> None:
        console.print(f"  {p.seconds:7.2f} s  best objective {p.objective}  bound {p.bound:g}")

    return show


def building_printer(console: Console) -> Callable[[Building], None]:
    """A line at most every BUILDING_EVERY_S while the first roster is built."""
    printed: list[float] = []

    def show(b: Building) -> None:
        if printed and b.seconds - printed[-1] < BUILDING_EVERY_S:
            return
        printed.append(b.seconds)
        console.print(f"  {b.seconds:7.2f} s  {building_words(b)}")

    return show


def write_curtois_csv(path: Path, rows: list[tuple[str, int, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["employee", "day", "shift"])
        w.writerows(rows)


def print_result(console: Console, result: SolveResult) -> None:
    console.print(f"status {result.status}  seconds {result.seconds:.1f}")
    if result.objective is not None:
        console.print(f"objective {result.objective}")
        for rule, cost in result.penalties.by_rule():
            console.print(f"  {rule}: {cost}")
    if result.explanation is not None:
        console.print("the hard rules cannot all hold; a conflicting set:")
        for c in result.explanation.conflicts:
            console.print(f"  - {c.words}")


def solve_curtois_file(
    console: Console,
    path: Path,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    out: Path | None,
    quiet: bool = False,
) -> SolveResult:
    problem = curtois.load(path)
    console.print(
        f"{path.name}: {problem.days} days, {len(problem.employees)} staff, "
        f"{len(problem.shifts)} shift types"
    )
    result = solve(
        problem,
        SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed),
        on_progress=None if quiet else progress_printer(console),
        on_building=None if quiet else building_printer(console),
    )
    print_result(console, result)
    if out is not None and result.roster is not None:
        write_curtois_csv(out, curtois.roster_rows(problem, result.roster))
        console.print(f"wrote {out}")
    return result


@app.command("solve")
def solve_cmd(
    curtois_file: Annotated[
        Path | None, typer.Option("--curtois", help="Curtois-Qu instance file to solve.")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds.")] = 60.0,
    workers: Annotated[int, typer.Option("--workers", help="CP-SAT workers.")] = 8,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="CSV: employee,day,shift.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site code (store roster).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Policy YAML [config/policies/cn.yaml].")
    ] = None,
    demand: Annotated[
        Path | None, typer.Option("--demand", help="Demand YAML [config/demand.yaml].")
    ] = None,
) -> None:
    """Solve a roster and print its objective and penalty report.

    With --curtois: a benchmark file. With --site/--from/--to: the site's roster from the
    HR store, written back as a draft run."""
    console = make_console()
    if curtois_file is None and site is not None:
        store_roster.solve_store(
            console,
            site=site,
            date_from=date_from,
            date_to=date_to,
            policy=policy,
            demand=demand,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
        )
        return
    if curtois_file is None:
        console.print(
            "give --curtois FILE (a Curtois-Qu benchmark instance), "
            "or --site S --from DATE --to DATE (a site from the store)"
        )
        raise typer.Exit(2)
    try:
        result = solve_curtois_file(
            console, curtois_file, time_limit=time_limit, workers=workers, seed=seed, out=out
        )
    except SchedulerError as exc:
        make_console(stderr=True).print(f"error: {exc}")
        raise typer.Exit(1) from exc
    if result.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        raise typer.Exit(1)


app.command("publish")(store_roster.publish_cmd)
app.command("show")(store_roster.show_cmd)
