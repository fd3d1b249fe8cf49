"""`shiftgate roster solve --site ...`, `roster publish`, `roster show`: rosters in the store."""

from __future__ import annotations

import getpass
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from gateway.cli.console import make_console
from gateway.roster.demand import DemandFileError, load_demand
from gateway.roster.policy import PolicyFileError, load_policy
from gateway.roster.render import building_words, explanation_lines, grid_table, penalty_table
from gateway.roster.service import SolveRequest, publish, roster_grid, solve_site
from gateway.settings import Settings
from hrcore.db import make_engine, make_session_factory
from hrcore.errors import StoreError
from hrcore.migrate import require_current
from scheduler.errors import SchedulerError
from scheduler.model import Building, Progress, SolveOptions, SolveStatus


def _fail(message: str, code: int = 1) -> typer.Exit:
    make_console(stderr=True).print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def parse_day(value: str | None, option: str) -> date:
    if value is None:
        raise _fail(f"{option} is required with --site (a date, YYYY-MM-DD)", 2)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date; write YYYY-MM-DD", 2) from None


def _now() -> datetime:
    return datetime.now(UTC)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _store(settings: Settings) -> Iterator[sessionmaker[Session]]:
    require_current(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


class _ProgressLine:
    """One live line: elapsed seconds, best objective so far, bound, rosters found."""

    def __init__(self, console: Console, limit: float) -> None:
        self.limit = limit
        self.last: Progress | None = None
        self.building: Building | None = None
        self.lock = threading.Lock()
        self.live = Live(self._text(), console=console, refresh_per_second=4, transient=False)

    def _text(self) -> Text:
        p, b = self.last, self.building
        if p is None and b is not None:
            return Text(
                f"solving (limit {self.limit:g} s) ... {b.seconds:6.1f} s  {building_words(b)}"
            )
        if p is None:
            return Text(f"solving (limit {self.limit:g} s) ... no roster yet")
        return Text(
            f"solving (limit {self.limit:g} s) ... {p.seconds:6.1f} s  best objective "
            f"{p.objective}  bound {p.bound:.0f}  rosters found {p.solutions}"
        )

    def update(self, p: Progress) -> None:
        with self.lock:
            self.last = p
            self.live.update(self._text())

    def update_building(self, b: Building) -> None:
        with self.lock:
            self.building = b
            self.live.update(self._text())


def solve_store(
    console: Console,
    *,
    site: str,
    date_from: str | None,
    date_to: str | None,
    policy: Path | None,
    demand: Path | None,
    time_limit: float,
    workers: int,
    seed: int,
) -> None:
    settings = Settings()
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    policy_path = policy or settings.config_dir / "policies" / "cn.yaml"
    demand_path = demand or settings.config_dir / "demand.yaml"
    try:
        req = SolveRequest(
            site,
            start,
            end,
            load_policy(policy_path),
            load_demand(demand_path),
            demand_source=str(demand_path),
            actor=_actor(),
        )
        with _store(settings) as factory:
            line = _ProgressLine(console, time_limit)
            with line.live:
                outcome = solve_site(
                    factory,
                    req,
                    SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed),
                    clock=_now,
                    on_progress=line.update,
                    on_building=line.update_building,
                )
            if not console.is_terminal:
                console.line()  # the live line ends without a newline off a terminal
    except (StoreError, PolicyFileError, DemandFileError, SchedulerError) as exc:
        raise _fail(str(exc)) from exc
    res, p = outcome.result, outcome.site_problem.problem
    console.print(
        f"{site} {start}..{end}: {len(p.employees)} employees, {len(p.shifts)} shift "
        f"types, {len(p.demand)} demand lines, {len(p.absences)} days of absence"
    )
    console.print(f"status {res.status}  seconds {res.seconds:.1f}")
    if res.status == SolveStatus.INFEASIBLE:
        for text in (
            explanation_lines(res.explanation)
            if res.explanation
            else ["the hard rules cannot all hold (no explanation computed)"]
        ):
            console.print(text, soft_wrap=True, markup=False)
        console.print("nothing was written; change the demand, leave or policy and re-solve")
        raise typer.Exit(1)
    if outcome.run_id is None:
        console.print(
            f"no roster found within {time_limit:g} s; nothing was written. "
            "Give a longer --time-limit."
        )
        raise typer.Exit(1)
    console.print(f"objective {res.objective}  (bound {res.bound:.0f})")
    console.print(penalty_table(res.penalties))
    if outcome.changed is not None:
        console.print(f"changes against the published roster: {outcome.changed} assignments")
    console.print(
        f"draft roster run {outcome.run_id} written; publish it with "
        f"`shiftgate roster publish --run {outcome.run_id}`"
    )


def publish_cmd(
    run: Annotated[int | None, typer.Option("--run", help="Draft run id.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site code.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
) -> None:
    """Publish a draft roster (by --run, or the newest draft of --site over --from..--to)."""
    console = make_console()
    settings = Settings()
    if run is None and site is None:
        raise _fail("say which roster to publish: --run ID, or --site S --from DATE --to DATE", 2)
    start = parse_day(date_from, "--from") if run is None else None
    end = parse_day(date_to, "--to") if run is None else None
    try:
        with _store(settings) as factory, factory.begin() as session:
            out = publish(
                session,
                clock=_now,
                actor=_actor(),
                run_id=run,
                site_code=site,
                date_from=start,
                date_to=end,
            )
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"published roster run {out.run_id} for {out.site_code} {out.date_from}..{out.date_to}"
    )
    if out.superseded:
        console.print("superseded runs: " + ", ".join(str(r) for r in out.superseded))
    if out.overridden:
        console.print(
            "still in force outside this range: " + ", ".join(str(r) for r in out.overridden)
        )


def show_cmd(
    site: Annotated[str, typer.Option("--site", help="Site code.")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    run: Annotated[int | None, typer.Option("--run", help="Show this run instead.")] = None,
) -> None:
    """Show a site's roster as a grid: the published one, else the newest draft."""
    console = make_console()
    settings = Settings()
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    try:
        with _store(settings) as factory, factory() as session:
            grid = roster_grid(session, site, start, end, run_id=run)
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    console.print(grid_table(grid))
