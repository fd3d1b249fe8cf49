"""`shiftgate roster ...`: the roster solver on a benchmark file or on a site from the store
(solve, publish, show), hand edits checked against the rules (check, edit), and shifts
planned from a demand curve (shifts)."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from gateway.cli.context import (
    EXIT_FAILED,
    actor,
    fail,
    make_console,
    parse_day,
    settings_of,
    store,
    utc_now,
)
from gateway.errors import BadInput, DemandFileError, EditRefused, FileInputError, PolicyFileError
from gateway.roster.curve import load_curve, load_shapes, plan_as_demand
from gateway.roster.demand import DemandFile, load_demand
from gateway.roster.edits import EditRequest, apply_edit, breach_lines, check_edit
from gateway.roster.policy import load_policy
from gateway.roster.render import (
    building_words,
    cover_chart,
    explanation_lines,
    grid_table,
    penalty_table,
    plan_table,
)
from gateway.roster.service import SolveOutcome, SolveRequest, roster_grid, solve_site
from gateway.settings import Settings
from hrcore.errors import StoreError
from hrcore.store.roster import publish
from scheduler import curtois
from scheduler.check import CheckResult
from scheduler.errors import SchedulerError
from scheduler.model import Building, Progress, SolveOptions, SolveResult, SolveStatus
from scheduler.shifts import ShiftCount, cover_of, plan_shifts
from scheduler.solve import solve

app = typer.Typer(
    help="Roster solver: solve, publish, show; shifts from a curve.", no_args_is_help=True
)


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
    ctx: typer.Context,
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
        solve_store(
            console,
            settings_of(ctx),
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
    settings: Settings,
    *,
    site: str,
    date_from: str | None,
    date_to: str | None,
    policy: Path | None,
    demand: Path | None,
    time_limit: float,
    workers: int,
    seed: int,
    demand_file: DemandFile | None = None,
) -> SolveOutcome:
    """Solve a site from the store and write the draft; `demand_file` (a plan's) replaces
    the demand file when given."""
    start, end = (
        parse_day(date_from, "--from", needed_with=" with --site"),
        parse_day(date_to, "--to", needed_with=" with --site"),
    )
    policy_path = policy or settings.config_dir / "policies" / "cn.yaml"
    demand_path = demand or settings.config_dir / "demand.yaml"
    try:
        req = SolveRequest(
            site,
            start,
            end,
            load_policy(policy_path),
            demand_file or load_demand(demand_path),
            demand_source="the planned shifts" if demand_file else str(demand_path),
            actor=actor(),
        )
        with store(settings) as factory:
            line = _ProgressLine(console, time_limit)
            with line.live:
                outcome = solve_site(
                    factory,
                    req,
                    SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed),
                    clock=utc_now,
                    on_progress=line.update,
                    on_building=line.update_building,
                )
            if not console.is_terminal:
                console.line()  # the live line ends without a newline off a terminal
    except (StoreError, PolicyFileError, DemandFileError, SchedulerError) as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    res, p = outcome.result, outcome.site_problem.problem
    console.print(
        f"{site} {start}..{end}: {len(p.employees)} employees, {len(p.shifts)} shift "
        f"types, {len(p.demand)} demand lines, {len(p.absences)} days of absence"
    )
    assumed = outcome.site_problem.assumed_calendar_years
    if assumed:
        console.print(
            f"note: no official CN calendar for {', '.join(map(str, assumed))} yet; regular "
            "hours assume Mon-Fri working days (update the chinesecalendar package)"
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
    return outcome


def publish_cmd(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option("--run", help="Draft run id.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site code.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
) -> None:
    """Publish a draft roster (by --run, or the newest draft of --site over --from..--to)."""
    console = make_console()
    settings = settings_of(ctx)
    if run is None and site is None:
        raise fail("say which roster to publish: --run ID, or --site S --from DATE --to DATE")
    start = parse_day(date_from, "--from", needed_with=" with --site") if run is None else None
    end = parse_day(date_to, "--to", needed_with=" with --site") if run is None else None
    try:
        with store(settings) as factory, factory.begin() as session:
            out = publish(
                session,
                clock=utc_now,
                actor=actor(),
                run_id=run,
                site_code=site,
                date_from=start,
                date_to=end,
            )
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
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
    ctx: typer.Context,
    site: Annotated[str, typer.Option("--site", help="Site code.")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    run: Annotated[int | None, typer.Option("--run", help="Show this run instead.")] = None,
) -> None:
    """Show a site's roster as a grid: the published one, else the newest draft."""
    console = make_console()
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    try:
        with store(settings_of(ctx)) as factory, factory() as session:
            grid = roster_grid(session, site, start, end, run_id=run)
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    console.print(grid_table(grid))


def shifts_cmd(
    ctx: typer.Context,
    curve: Annotated[Path, typer.Option("--curve", help="CSV: day,start,skill,people.")],
    shapes: Annotated[Path, typer.Option("--shapes", help="YAML: allowed shift shapes.")],
    date_from: Annotated[str | None, typer.Option("--from", help="First day [curve's].")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day [curve's].")] = None,
    chart: Annotated[
        str | None, typer.Option("--chart", help="Day to chart, YYYY-MM-DD [first].")
    ] = None,
    skill: Annotated[
        str | None, typer.Option("--skill", help="Skill to chart [the curve's first].")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds.")] = 10.0,
    site: Annotated[
        str | None, typer.Option("--site", help="Fill the shifts with this site's staff.")
    ] = None,
    policy: PolicyOpt = None,
    solve_time_limit: Annotated[
        float, typer.Option("--solve-time-limit", help="Seconds for the fill.")
    ] = 60.0,
) -> None:
    """Plan how many of each shift shape to run per day from a demand curve, and chart the
    cover per hour (need against planned). With --site: fill the planned shifts with the
    site's people under every rule (the shapes' ids are its shift codes), write the draft
    run, and chart the filled cover too."""
    console = make_console()
    try:
        points = load_curve(curve)
        allowed, weights = load_shapes(shapes)
        days = sorted({p.day for p in points})
        start = parse_day(date_from, "--from") if date_from else days[0]
        end = parse_day(date_to, "--to") if date_to else days[-1]
        if end < start:
            raise fail(f"--to {end} is before --from {start}")
        inside = tuple(p for p in points if start <= p.day <= end)
        plan = plan_shifts(
            start, (end - start).days + 1, inside, allowed, weights, time_limit_s=time_limit
        )
    except (FileInputError, SchedulerError) as exc:
        raise fail(str(exc)) from exc
    if plan.objective is None:
        raise fail(
            f"no plan found within {time_limit:g} s; give a longer --time-limit", EXIT_FAILED
        )
    console.print(
        f"{curve.name}: {len(inside)} points on {start}..{end}, {plan.slot_minutes}-minute "
        f"slots; {len(allowed)} shapes; status {plan.status}"
    )
    console.print(plan_table(plan))
    console.print(
        f"{plan.shifts} shifts; short {plan.under_minutes / 60:g} person-hours, over "
        f"{plan.over_minutes / 60:g}; cost {plan.objective} (bound {plan.bound})"
    )
    skills = sorted({p.skill or "any" for p in inside})
    if skill is not None and skill not in skills:
        raise fail(f"--skill {skill!r} is not in the curve (it has: {', '.join(skills)})")
    shown = skill or (skills[0] if skills else "any")
    day = parse_day(chart, "--chart") if chart else start
    key = None if shown == "any" else shown
    for line in cover_chart(plan, day, key):
        console.print(line)
    if site is None:
        return
    outcome = solve_store(
        console,
        settings_of(ctx),
        site=site,
        date_from=start.isoformat(),
        date_to=end.isoformat(),
        policy=policy,
        demand=None,
        time_limit=solve_time_limit,
        workers=8,
        seed=0,
        demand_file=plan_as_demand(plan),
    )
    roster = outcome.result.roster
    assert roster is not None  # solve_store exits when no roster was found
    filled: dict[tuple[date, str, str | None], int] = {}
    for a in roster.assignments:
        k = (a.day, a.shift_id, a.skill)
        filled[k] = filled.get(k, 0) + 1
    known = {s.id for s in allowed}
    for st in outcome.site_problem.problem.shifts:
        shape = next((x for x in allowed if x.id == st.id), None)
        if shape is not None and (st.start, st.minutes) != (shape.start, shape.worked_minutes):
            console.print(
                f"note: shift type {st.id} of {site} starts {st.start:%H:%M} for "
                f"{st.minutes} worked min, the shape {shape.start:%H:%M} for "
                f"{shape.worked_minutes}; the chart follows the shape"
            )
    counts = tuple(ShiftCount(d, sh, k, n) for (d, sh, k), n in filled.items() if sh in known)
    after = cover_of(start, (end - start).days + 1, inside, allowed, counts)
    console.print(
        f"filled: {after.shifts} shifts; short {after.under_minutes / 60:g} person-hours, "
        f"over {after.over_minutes / 60:g} (planned: {plan.under_minutes / 60:g} / "
        f"{plan.over_minutes / 60:g})"
    )
    for line in cover_chart(after, day, key)[1:]:
        console.print(line)


ChangeOpt = Annotated[
    list[str] | None,
    typer.Option("--change", help="'EMPLOYEE DAY SHIFT [SKILL]' ('off': a day off); repeatable."),
]
SwapOpt = Annotated[
    list[str] | None, typer.Option("--swap", help="'EMPLOYEE EMPLOYEE DAY'; repeatable.")
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Policy YAML [config/policies/cn.yaml].")
]
DemandOpt = Annotated[
    Path | None, typer.Option("--demand", help="Demand YAML [config/demand.yaml].")
]


def _edit_request(
    settings: Settings,
    run: int,
    change: list[str] | None,
    swap: list[str] | None,
    policy: Path | None,
    demand: Path | None,
) -> EditRequest:
    policy_path = policy or settings.config_dir / "policies" / "cn.yaml"
    demand_path = demand or settings.config_dir / "demand.yaml"
    try:
        return EditRequest(
            run,
            tuple(change or ()),
            tuple(swap or ()),
            load_policy(policy_path),
            load_demand(demand_path),
            demand_source=str(demand_path),
        )
    except (PolicyFileError, DemandFileError) as exc:
        raise fail(str(exc)) from exc


def print_check(console: Console, res: CheckResult) -> None:
    for line in breach_lines(res):
        console.print(line, markup=False, soft_wrap=True)
    rules = ", ".join(f"{r} {v:+d}" for r, v in res.by_rule)
    console.print(f"objective {res.objective_delta:+d}" + (f" ({rules})" if rules else ""))
    for d in res.people:
        console.print(
            f"  {d.employee_id}: worked {d.minutes / 60:+g} h, overtime "
            f"{d.overtime_minutes / 60:+g} h"
        )


def check_cmd(
    ctx: typer.Context,
    run: Annotated[int, typer.Option("--run", help="Roster run id.")],
    change: ChangeOpt = None,
    swap: SwapOpt = None,
    policy: PolicyOpt = None,
    demand: DemandOpt = None,
) -> None:
    """Which rules a proposed edit, swap or open-shift pickup would break, and what it
    changes (objective, hours, overtime); exit 1 when a block rule would refuse it."""
    console = make_console()
    settings = settings_of(ctx)
    req = _edit_request(settings, run, change, swap, policy, demand)
    try:
        with store(settings) as factory, factory() as session:
            t0 = time.perf_counter()
            res = check_edit(session, req)
            ms = (time.perf_counter() - t0) * 1000
    except (BadInput, SchedulerError) as exc:
        raise fail(str(exc)) from exc
    except StoreError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    verdict = "refused (a block rule; a manager may override)" if res.blocked else "allowed"
    console.print(f"run {run}: the edit would be {verdict}  [{ms:.0f} ms with the store read]")
    print_check(console, res)
    if res.blocked:
        raise typer.Exit(EXIT_FAILED)


def edit_cmd(
    ctx: typer.Context,
    run: Annotated[int, typer.Option("--run", help="Draft roster run id.")],
    change: ChangeOpt = None,
    swap: SwapOpt = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Manager's override of block rules (audited)."),
    ] = None,
    policy: PolicyOpt = None,
    demand: DemandOpt = None,
) -> None:
    """Apply an edit to a draft run after checking it: refused if it breaks a block rule,
    unless --reason overrides it (the reason and the rules broken go to the audit log)."""
    console = make_console()
    settings = settings_of(ctx)
    req = _edit_request(settings, run, change, swap, policy, demand)
    try:
        with store(settings) as factory:
            res = apply_edit(factory, req, actor=actor(), clock=utc_now, reason=reason)
    except (BadInput, SchedulerError) as exc:
        raise fail(str(exc)) from exc
    except (EditRefused, StoreError) as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    overridden = " (block rules overridden; reason audited)" if res.blocked else ""
    console.print(f"run {run}: edit written{overridden}")
    print_check(console, res)


app.command("publish")(publish_cmd)
app.command("show")(show_cmd)
app.command("check")(check_cmd)
app.command("edit")(edit_cmd)
app.command("shifts")(shifts_cmd)
