"""Demo step: roster a small warehouse for one week and show the draft.

Seeds (or reuses) a 36-person site made by the same generator as `bench.roster_store`,
one of them barred from night shifts from Thursday on by a protection period (CN law bars
night work for an employee seven or more months pregnant), solves one week under the CN
policy with a short time limit, writes the draft roster run to the demo store and prints
the grid and the penalty summary.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gateway.demo.runner import DemoContext, DemoStep
from gateway.roster.edits import EditRequest, check_edit
from gateway.roster.policy import load_policy
from gateway.roster.render import explanation_lines, grid_table, penalty_table
from gateway.roster.service import SolveRequest, roster_grid, solve_site
from gateway.roster.warehouse import seed_store, warehouse_site
from hrcore.db import make_engine, make_session_factory
from hrcore.migrate import upgrade
from hrcore.models import ProtectionKind
from hrcore.store import ProtectionPeriod, RosterLimits
from scheduler.metrics import roster_metrics
from scheduler.model import SolveOptions

DEMO_SITE = "DEMO-DC"  # step 1 owns DEMO-WH (its 20 people, device, punches)
DEMO_STAFF = 36
DEMO_WEEK = date(2026, 11, 2)  # the week before the 11.11 peak
TIME_LIMIT_S = 8.0
#: the demo's employee with a protection period: no night shifts from Thursday on
NO_NIGHTS_INDEX = 3
NO_NIGHTS_FROM = DEMO_WEEK + timedelta(days=3)
POLICY = Path(__file__).resolve().parents[2] / "config" / "policies" / "cn.yaml"


def _now() -> datetime:
    return datetime.now(UTC)


PROTECTED = RosterLimits(
    protections=(
        ProtectionPeriod(ProtectionKind.NO_NIGHTS, NO_NIGHTS_FROM, NO_NIGHTS_FROM + timedelta(240)),
    )
)


def run_roster(ctx: DemoContext, time_limit_s: float = TIME_LIMIT_S) -> None:
    data = warehouse_site(seed=7, employees=DEMO_STAFF, weeks=1, start=DEMO_WEEK, code=DEMO_SITE)
    protected = data.employees[NO_NIGHTS_INDEX].code
    data = replace(
        data,
        employees=tuple(
            replace(e, limits=PROTECTED) if e.code == protected else e for e in data.employees
        ),
    )
    upgrade(ctx.database_url)
    engine = make_engine(ctx.database_url)
    try:
        factory = make_session_factory(engine)
        with factory.begin() as s:
            seed_store(s, data)
        ctx.console.print(
            f"site {DEMO_SITE}: {len(data.employees)} staff (pickers, packers, "
            f"forklift drivers, leads), shifts D/E/N, {len(data.leaves)} leave "
            f"entries; week {data.date_from}..{data.date_to}"
        )
        req = SolveRequest(
            DEMO_SITE,
            data.date_from,
            data.date_to,
            load_policy(POLICY),
            data.demand,
            demand_source="generated demand",
            actor="demo",
        )
        out = solve_site(
            factory, req, SolveOptions(time_limit_s=time_limit_s, workers=8), clock=_now
        )
        res = out.result
        ctx.console.print(
            f"CP-SAT: status {res.status}, objective {res.objective}, "
            f"{res.seconds:.1f} s (limit {time_limit_s:g} s)"
        )
        if out.run_id is None:
            if res.explanation is not None:
                for line in explanation_lines(res.explanation):
                    ctx.console.print(line, markup=False)
            return
        with factory() as s:
            grid = roster_grid(s, DEMO_SITE, data.date_from, data.date_to, run_id=out.run_id)
        ctx.console.print(grid_table(grid))
        ctx.console.print(penalty_table(res.penalties, top=2))
        assert res.roster is not None
        m = roster_metrics(out.site_problem.problem, res.roster)
        nights = {sh.id for sh in out.site_problem.problem.shifts if sh.night}
        worked = [a for a in res.roster.assignments if a.employee_id == protected]
        at_night = [a for a in worked if a.shift_id in nights]
        inside = sum(a.day >= NO_NIGHTS_FROM for a in at_night)
        ctx.console.print(
            f"{protected} may not work nights from {NO_NIGHTS_FROM:%a %d %b} (a protection "
            f"period): {len(worked)} shifts, {len(at_night) - inside} nights before it, "
            f"{inside} in it"
        )
        friday, night = NO_NIGHTS_FROM + timedelta(days=1), min(nights)
        edit = EditRequest(
            out.run_id, (f"{protected} {friday} {night}",), policy=req.policy, demand=data.demand
        )
        with factory() as s:
            chk = check_edit(s, edit)  # as `shiftgate roster check --run --change` does
        ctx.console.print(
            f"check an edit, {protected} to {night} on {friday:%a %d %b}: "
            f"{'refused' if chk.blocked else 'allowed'} (objective {chk.objective_delta:+d})"
        )
        for b in chk.added[:3]:
            ctx.console.print(f"  {b.severity} {b.rule}: {b.words}", markup=False)
        ctx.console.print(
            f"uncovered {m.uncovered_hours:.0f} h, overtime "
            f"{m.overtime_hours:.0f} h, rest breaches {m.rest_breaches}, "
            f"overtime-cap breaches {m.overtime_cap_breaches}; draft run "
            f"{out.run_id} saved (publish: shiftgate roster publish --run "
            f"{out.run_id})"
        )
    finally:
        engine.dispose()


def roster_step(time_limit_s: float = TIME_LIMIT_S) -> DemoStep:
    def run(ctx: DemoContext) -> None:
        run_roster(ctx, time_limit_s)

    return DemoStep("Roster a warehouse week (CP-SAT under CN labour rules)", run)


STEP = roster_step()
