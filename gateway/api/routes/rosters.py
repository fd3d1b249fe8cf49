"""``/api/v1/rosters``: list runs, read one (grid, coverage, penalties, projections), edit a
draft's cell, start a solve as a background job (``/api/v1/jobs``), publish."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, Field

from gateway.api.deps import SessionDep, StateDep, audit, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.api.pages import MAX_LIMIT, Page, PageDep
from gateway.api.state import AppState
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from gateway.errors import BadInput
from gateway.roster.demand import DemandFile, load_demand
from gateway.roster.edits import EditRequest, check_cells
from gateway.roster.jobs import JobStatus, JobView
from gateway.roster.policy import load_policy
from gateway.roster.service import SolveRequest, check_range
from gateway.roster.view import edited_cells
from gateway.settings import Settings
from hrcore.enums import RosterStatus
from hrcore.store.directory import get_site
from hrcore.store.roster import RunSummary, find_run, publish, roster_runs, set_assignment
from scheduler.check import Breach, Change
from scheduler.errors import InvalidProblem
from scheduler.model import Pin, SolveOptions

router = APIRouter(prefix="/api/v1", tags=["rosters"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Writer = Annotated[Principal, Depends(require(Permission.ROSTER_WRITE))]
RunId = Annotated[int, Path(ge=1, le=2_147_483_647)]

DEMAND_FILE = "demand.yaml"
POLICY_DIR = "policies"


class RunOut(BaseModel):
    id: int
    site: str
    date_from: date
    date_to: date
    status: RosterStatus
    objective: int | None
    created_at: datetime
    published_at: datetime | None


class ShiftOut(BaseModel):
    code: str
    name: str
    start: str
    end: str
    paid_hours: float
    night: bool


class CoverageOut(BaseModel):
    day: date
    shift: str
    assigned: int
    minimum: int | None
    target: int | None
    maximum: int | None
    state: str


class WeekOut(BaseModel):
    employee: str
    week_start: date
    hours: float


class RowOut(BaseModel):
    employee: str
    name: str
    cells: list[str]
    hourly_rate: Decimal


class RosterOut(RunOut):
    #: rows of the whole run (``rows`` holds one page of them)
    total_rows: int
    dates: list[date]
    rows: list[RowOut]
    shifts: list[ShiftOut]
    coverage: list[CoverageOut]
    weeks: list[WeekOut]
    penalties: list[dict[str, Any]]
    projected_hours: float
    projected_overtime_hours: float
    projected_cost: Decimal


class PinBody(BaseModel):
    employee: str = Field(min_length=1, max_length=64)
    day: date
    #: shift code, or "" for a day off
    shift: str = Field(max_length=64)


class SolveBody(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    date_from: date
    date_to: date
    time_limit_s: float = Field(default=10, gt=0, le=600)
    #: assignments the solve must keep
    pins: list[PinBody] = Field(default_factory=list, max_length=10_000)
    #: also keep every cell HR changed in this draft run (re-roster around the edits)
    keep_edits_of: int | None = Field(default=None, ge=1, le=2_147_483_647)


class JobOut(BaseModel):
    id: int
    site: str
    status: JobStatus
    submitted_at: datetime
    finished_at: datetime | None
    objective: int | None
    seconds: float | None
    solutions: int
    solve_status: str | None
    run_id: int | None
    message: str


class CellBody(BaseModel):
    employee: str = Field(min_length=1, max_length=64)
    day: date
    #: shift code, or "" for a day off
    shift: str = Field(max_length=64)


class PublishOut(BaseModel):
    run_id: int
    site: str
    date_from: date
    date_to: date
    superseded: list[int]
    overridden: list[int]


def _run_out(run: RunSummary) -> RunOut:
    return RunOut(
        id=run.id,
        site=run.site_code,
        date_from=run.date_from,
        date_to=run.date_to,
        status=run.status,
        objective=run.objective,
        created_at=run.created_at,
        published_at=run.published_at,
    )


def _job_out(job: JobView) -> JobOut:
    return JobOut(
        id=job.id,
        site=job.site_code,
        status=job.status,
        submitted_at=job.submitted_at,
        finished_at=job.finished_at,
        objective=job.objective,
        seconds=job.seconds,
        solutions=job.solutions,
        solve_status=job.solve_status,
        run_id=job.run_id,
        message=job.message,
    )


def site_demand(settings: Settings) -> DemandFile | None:
    """The demand file of the config folder, or None when there is none."""
    path: FilePath = settings.config_dir / DEMAND_FILE
    if not path.is_file():
        return None
    return load_demand(path)


def _demand(settings: Settings) -> tuple[object, DemandFile | None]:
    """The demand file with what a cached view keys on (its modification time and size)."""
    path = settings.config_dir / DEMAND_FILE
    try:
        info = path.stat()
    except OSError:
        return None, None
    try:
        return (info.st_mtime_ns, info.st_size), load_demand(path)
    except BadInput:
        return (info.st_mtime_ns, info.st_size), None  # the grid shows; coverage has no targets


def roster_out(
    session: SessionDep, state: AppState, run_id: int, *, limit: int | None = None, offset: int = 0
) -> RosterOut:
    """A run as the API and the UI show it; ``limit``/``offset`` page the rows (coverage and
    projections always cover the whole run)."""
    v = state.rosters.get(session, run_id, lambda: _demand(state.settings))
    run = find_run(session, run_id)
    assert run is not None  # the view exists
    end = len(v.employees) if limit is None else offset + limit
    page = range(offset, min(end, len(v.employees)))
    codes = {v.employees[i][0] for i in page}
    return RosterOut(
        **_run_out(run).model_dump(),
        total_rows=len(v.employees),
        dates=list(v.dates),
        rows=[
            RowOut(
                employee=v.employees[i][0],
                name=v.employees[i][1],
                cells=list(v.cells[i]),
                hourly_rate=v.hourly_rates[i],
            )
            for i in page
        ],
        shifts=[
            ShiftOut(
                code=s.code,
                name=s.name,
                start=s.start,
                end=s.end,
                paid_hours=s.paid_hours,
                night=s.night,
            )
            for s in v.shifts
        ],
        coverage=[
            CoverageOut(
                day=c.day,
                shift=c.shift,
                assigned=c.assigned,
                minimum=c.minimum,
                target=c.target,
                maximum=c.maximum,
                state=c.state,
            )
            for c in v.coverage
        ],
        weeks=[
            WeekOut(employee=w.employee, week_start=w.week_start, hours=w.hours)
            for w in v.weeks
            if w.employee in codes
        ],
        penalties=list(v.penalties),
        projected_hours=v.projected_hours,
        projected_overtime_hours=v.projected_overtime_hours,
        projected_cost=v.projected_cost,
    )


@router.get("/rosters", response_model=Page[RunOut])
def list_runs(
    session: SessionDep,
    page: PageDep,
    _: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[RosterStatus | None, Query(alias="status")] = None,
) -> Page[RunOut]:
    """Roster runs, newest first."""
    runs, total = roster_runs(
        session,
        site_id=get_site(session, site).id if site else None,
        status=status_ or None,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[_run_out(r) for r in runs], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/rosters/{run_id}", response_model=RosterOut)
def get_run(
    run_id: RunId,
    session: SessionDep,
    state: StateDep,
    page: PageDep,
    _: Reader,
) -> RosterOut:
    """A run's grid (``limit``/``offset`` page its rows), coverage per day and shift against
    the demand, hours per person and week, the penalty report, and the projected hours,
    overtime and cost of the whole run."""
    return roster_out(session, state, run_id, limit=page.limit, offset=page.offset)


@router.put("/rosters/{run_id}/assignments", response_model=RosterOut)
def put_cell(
    run_id: RunId, body: CellBody, session: SessionDep, state: StateDep, principal: Writer
) -> RosterOut:
    """Change one cell of a draft (shift "" = day off); the answer has the new projections."""
    set_assignment(
        session,
        run_id,
        body.employee,
        body.day,
        body.shift,
        actor=principal.actor,
        now=state.clock(),
    )
    session.commit()
    return roster_out(session, state, run_id, limit=MAX_LIMIT)


class CheckBody(BaseModel):
    changes: list[CellBody] = Field(min_length=1, max_length=200)


class BreachOut(BaseModel):
    rule: str
    severity: str
    words: str
    employee: str | None
    day: date | None


class PersonChangeOut(BaseModel):
    employee: str
    minutes: int
    overtime_minutes: int


class CheckOut(BaseModel):
    blocked: bool  # an edit adding a breach of a block rule (refused unless overridden)
    added: list[BreachOut]
    cleared: list[BreachOut]
    objective_delta: int
    by_rule: dict[str, int]
    people: list[PersonChangeOut]


@router.post("/rosters/{run_id}/assignments:check", response_model=CheckOut)
def check_cells_route(
    run_id: RunId, body: CheckBody, session: SessionDep, state: StateDep, _: Reader
) -> CheckOut:
    """Which rules the changes (shift "" = day off) would break, each with its severity,
    and their change in objective, worked and overtime minutes; nothing is written."""
    run = find_run(session, run_id)
    if run is None:
        raise ApiError(404, f"roster run {run_id} does not exist", code="not_found")
    settings = state.settings
    try:
        demand = site_demand(settings)
        site = get_site(session, run.site_code)
        policy = load_policy(settings.config_dir / POLICY_DIR / f"{site.policy}.yaml")
    except BadInput as exc:
        raise ApiError(422, str(exc), code="config_invalid") from exc
    if demand is None:
        raise ApiError(
            422,
            f"no {settings.config_dir / DEMAND_FILE}; write the site's demand there first",
            code="config_invalid",
        )
    cells = [Change(c.employee, c.day, c.shift or None) for c in body.changes]
    req = EditRequest(run_id, (), policy=policy, demand=demand, demand_source=DEMAND_FILE)
    try:
        res = check_cells(session, req, cells)
    except (InvalidProblem, BadInput) as exc:
        raise ApiError(422, str(exc), code="invalid_change") from exc

    def out(b: Breach) -> BreachOut:
        return BreachOut(
            rule=str(b.rule),
            severity=str(b.severity),
            words=b.words,
            employee=b.employee_id,
            day=b.day,
        )

    return CheckOut(
        blocked=res.blocked,
        added=[out(b) for b in res.added],
        cleared=[out(b) for b in res.cleared],
        objective_delta=res.objective_delta,
        by_rule={str(r): v for r, v in res.by_rule},
        people=[
            PersonChangeOut(
                employee=d.employee_id, minutes=d.minutes, overtime_minutes=d.overtime_minutes
            )
            for d in res.people
        ],
    )


@router.post("/rosters:solve", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def start_solve(body: SolveBody, session: SessionDep, state: StateDep, principal: Writer) -> JobOut:
    """Start a solve of the site over the range (demand: the config folder's demand.yaml,
    policy: policies/<site policy>.yaml); poll ``/api/v1/jobs/{id}`` for progress."""
    check_range(body.date_from, body.date_to)
    site = get_site(session, body.site)
    settings = state.settings
    try:
        demand = site_demand(settings)
        policy = load_policy(settings.config_dir / POLICY_DIR / f"{site.policy}.yaml")
    except BadInput as exc:
        raise ApiError(422, str(exc), code="config_invalid") from exc
    if demand is None:
        raise ApiError(
            422,
            f"no {settings.config_dir / DEMAND_FILE}; write the site's demand there first",
            code="config_invalid",
        )
    pins = [Pin(p.employee, p.day, p.shift or None) for p in body.pins]
    if body.keep_edits_of is not None:
        pins.extend(edited_cells(session, body.keep_edits_of))
    pins = [p for p in pins if body.date_from <= p.day <= body.date_to]
    job = state.jobs.submit(
        SolveRequest(
            site.code,
            body.date_from,
            body.date_to,
            policy,
            demand,
            demand_source=DEMAND_FILE,
            actor=principal.actor,
            pins=tuple(pins),
        ),
        SolveOptions(time_limit_s=body.time_limit_s, workers=2),
    )
    audit(
        session,
        principal,
        state.clock(),
        "roster_solve",
        "roster_job",
        str(job.id),
        {"site": site.code, "from": body.date_from.isoformat(), "to": body.date_to.isoformat()},
    )
    session.commit()
    return _job_out(job)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: RunId, state: StateDep, _: Reader) -> JobOut:
    job = state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id} on this instance (jobs live until it restarts)")
    return _job_out(job)


@router.post("/rosters/{run_id}/publish", response_model=PublishOut)
def publish_run(
    run_id: RunId, session: SessionDep, state: StateDep, principal: Writer
) -> PublishOut:
    """Publish a draft: it supersedes the published runs it covers (audited)."""
    out = publish(session, clock=state.clock, actor=principal.actor, run_id=run_id)
    session.commit()
    return PublishOut(
        run_id=out.run_id,
        site=out.site_code,
        date_from=out.date_from,
        date_to=out.date_to,
        superseded=list(out.superseded),
        overridden=list(out.overridden),
    )
