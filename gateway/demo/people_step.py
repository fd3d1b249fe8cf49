"""Demo step: HR data from other systems, the scorecard and ladder, and risk flags that turn
red with their evidence, one of them raised by the risk watcher a minute after the punches
that crossed the line reached the store.

Works on the DEMO-WH site of step 1 (E01..E20, punches 2025-03-03..16). The HR files are
in ``data/people/`` with one YAML mapping each; the site's scorecard and ladder are in
``data/people/config/``. Overtime punches of E04 (three weeks of 08:00-20:30 days, sent as
a late upload) arrive through the ordinary punch insert, so the watcher sees them as it
sees any upload, import or push.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from gateway.demo.runner import DemoContext, DemoStep
from gateway.demo.sample_data import DATA_DIR, DEVICE_SERIAL, EMPLOYEES, SITE_CODE, TIMEZONE
from gateway.notify.people_files import PeopleConfig, load_people_config
from gateway.notify.risk_watch import RiskWatcher
from gateway.people.importing import run_import
from gateway.people.render import indented, level_text, problems_table
from hrcore.db import make_engine, make_session_factory
from hrcore.enums import PunchStateCode, RiskLevel
from hrcore.people.records import ImportTable
from hrcore.store import PunchIn, get_site, insert_punches
from hrcore.store.people import profile, stored_flags
from hrcore.store.risk import employee_id_of, evaluate_risk, list_alerts, list_risk

PEOPLE_DIR = DATA_DIR / "people"
AS_OF = date(2025, 3, 16)  # the last day of the demo punches
IMPORTS = (
    (ImportTable.EMPLOYEES, "employees"),
    (ImportTable.COURSES, "courses"),
    (ImportTable.COMPLETIONS, "completions"),
    (ImportTable.KPIS, "kpis"),
    (ImportTable.SURVEYS, "surveys"),
    (ImportTable.LEAVE, "leave"),
)
OVERTIME_EMPLOYEE = "E04"
SHOWN_EVIDENCE = 4  # lines per flag; `shiftgate risk explain` shows them all


def _imports(ctx: DemoContext, factory: sessionmaker[Session], people: PeopleConfig) -> None:
    kpis = frozenset(people.scorecard.kpis) if people.scorecard is not None else None
    now = datetime.now(UTC)
    with factory.begin() as session:
        bad = run_import(
            session,
            ImportTable.KPIS,
            PEOPLE_DIR / "kpis-with-errors.csv",
            PEOPLE_DIR / "kpis.yaml",
            dry_run=True,
            actor="demo",
            at=now,
            kpis=kpis,
        )
    ctx.console.print(
        f"dry run of kpis-with-errors.csv: {len(bad.check.problems)} problem(s), nothing stored"
    )
    ctx.console.print(problems_table(bad.check.problems))
    table = Table(title="HR import (one YAML mapping per file; all or nothing)")
    for column in ("file", "table", "rows", "new", "updated", "again"):
        table.add_column(column, justify="left" if column in ("file", "table") else "right")
    for kind, name in IMPORTS:
        results = []
        for _ in range(2):  # the second run shows the import is idempotent
            with factory.begin() as session:
                run = run_import(
                    session,
                    kind,
                    PEOPLE_DIR / f"{name}.csv",
                    PEOPLE_DIR / f"{name}.yaml",
                    dry_run=False,
                    actor="demo",
                    at=now,
                    kpis=kpis,
                )
            assert run.outcome is not None, run.check.problems
            results.append(run.outcome)
        first, again = results
        table.add_row(
            f"{name}.csv",
            kind.value,
            str(run.check.rows),
            str(first.created),
            str(first.updated),
            "no change" if not again.changed else "changed",
        )
    ctx.console.print(table)


def _overtime_punches(site_id: int, received: datetime) -> list[PunchIn]:
    """Three weeks of 07:55-20:30 weekdays of E04, as a late upload would bring them."""
    tz = ZoneInfo(TIMEZONE)
    emp = next(e for e in EMPLOYEES if e.code == OVERTIME_EMPLOYEE)
    out = []
    day = date(2025, 2, 24)
    while day <= date(2025, 3, 14):
        if day.weekday() < 5:
            for hour, minute, state in ((7, 55, PunchStateCode.IN), (20, 30, PunchStateCode.OUT)):
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                out.append(
                    PunchIn(
                        id=uuid.uuid5(
                            uuid.NAMESPACE_URL, f"{DEVICE_SERIAL}|{emp.device_user}|{local}"
                        ),
                        device_sn=DEVICE_SERIAL,
                        device_user=emp.device_user,
                        local_time=local,
                        timezone=TIMEZONE,
                        received_at=received,
                        state=state,
                        source="demo late upload",
                        site_id=site_id,
                    )
                )
        day += timedelta(days=1)
    return out


class _DemoClock:
    """A simulated clock that starts now and moves only when told: the watcher's next tick
    without waiting for it (and the same output on every run)."""

    def __init__(self) -> None:
        self.start = datetime.now(UTC)
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.start + self.offset


def _red_list(ctx: DemoContext, factory: sessionmaker[Session]) -> None:
    with factory() as session:
        rows = list_risk(session, site_code=SITE_CODE)
        red = [r for r in rows if r.level is RiskLevel.RED]
        counts = {lv: sum(1 for r in rows if r.level is lv) for lv in RiskLevel}
        ctx.console.print(
            f"risk of {SITE_CODE} as of {AS_OF}: {counts[RiskLevel.RED]} red, "
            f"{counts[RiskLevel.AMBER]} amber, {counts[RiskLevel.GREEN]} green"
        )
        ctx.console.print(Text("Red flags with evidence", style="bold"))
        for row in red:
            ctx.console.print(
                Text.assemble(level_text(row.level), f" {row.employee} {row.name}: {row.reason}")
            )
            for flag in stored_flags(session, employee_id_of(session, row.employee)):
                ctx.console.print(indented([f"{flag.kind}: {flag.summary}"], 2, "red"))
                shown = list(flag.evidence[:SHOWN_EVIDENCE])
                if len(flag.evidence) > SHOWN_EVIDENCE:
                    shown.append(f"... {len(flag.evidence) - SHOWN_EVIDENCE} more")
                ctx.console.print(indented(shown, 6))


def _ladder(ctx: DemoContext, factory: sessionmaker[Session], people: PeopleConfig) -> None:
    with factory() as session:
        p = profile(
            session,
            "E07",
            as_of=AS_OF,
            scorecard=people.scorecard,
            ladders=people.ladders,
            course_titles=people.course_titles,
        )
    trail = ", ".join(f"{c.period} {c.points}" for c in p.scorecards)
    ctx.console.print(f"E07 {p.name}, {p.job_title}: scorecard {trail}")
    if p.ladder is not None:
        pos = p.ladder
        now = pos.current.code if pos.current is not None else "below P1"
        nxt = f"; next {pos.next.code}, {pos.progress_percent:.0f} % there" if pos.next else ""
        ctx.console.print(f"career ladder: {now}{nxt}")
        for missing in pos.missing:
            ctx.console.print(f"  missing: {missing}")
    ctx.console.print("one screen per person, with the demo site's scorecard and ladder:")
    ctx.console.print("  SHIFTGATE_CONFIG_DIR=gateway/demo/data/people/config \\", markup=False)
    ctx.console.print("  shiftgate people show E07 --as-of 2025-03-16", markup=False)


def run(ctx: DemoContext) -> None:
    people = load_people_config(PEOPLE_DIR / "config")
    engine = make_engine(ctx.database_url)
    try:
        factory = make_session_factory(engine)
        _imports(ctx, factory, people)
        clock = _DemoClock()
        with factory.begin() as session:
            first = evaluate_risk(
                session,
                AS_OF,
                config=people.risk,
                clock=clock,
                scorecard=people.scorecard,
                site_code=SITE_CODE,
            )
        ctx.console.print(
            f"evaluated {len(first.assessments)} employees of {SITE_CODE}: "
            f"{first.count(RiskLevel.RED)} red, {len(first.alerts)} alert(s)"
        )
        watcher = RiskWatcher(factory, people, clock=clock, as_of=AS_OF)
        clock.offset = timedelta(seconds=1)  # the upload, a second after the last tick
        with factory.begin() as session:
            site = get_site(session, SITE_CODE)
            batch = _overtime_punches(site.id, clock())
            stored = insert_punches(session, batch, clock=clock)
        ctx.console.print(
            f"a late upload brings {stored} punches of {OVERTIME_EMPLOYEE} (weekdays 24 Feb-14 "
            "Mar, 07:55-20:30)"
        )
        clock.offset += timedelta(seconds=60)  # the watcher's next tick
        tick = watcher.tick()
        with factory() as session:
            raised = [a for a in list_alerts(session) if a.id in tick.raised]
        for alert in raised:
            delay = (alert.raised_at - alert.trigger_at).total_seconds() if alert.trigger_at else 0
            ctx.console.print(
                f"next watcher tick: alert #{alert.id}, {alert.employee} "
                f"{alert.level.value} {delay:.0f} s after the punches (goal 5 min)"
            )
        _red_list(ctx, factory)
        _ladder(ctx, factory, people)
        ctx.console.print("every fact of a flag: `shiftgate risk explain E04`")
        ctx.console.print("alerts and their notes: `shiftgate risk alerts`, `shiftgate risk ack`")
    finally:
        engine.dispose()


STEP = DemoStep(title="People and risk: HR import, scorecard, ladder, red flags", run=run)
