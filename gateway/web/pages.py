"""The pages of the web UI. Each reads what it shows through the same functions the API
routes use, and each form posts back here with the session's CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from gateway.api.deps import SESSION_COOKIE, SessionDep, StateDep
from gateway.api.errors import store_error_response
from gateway.api.routes.attendance import day_detail, day_page
from gateway.api.routes.rosters import roster_out, site_demand
from gateway.api.routes.sites import device_list
from gateway.attendance.corrections import decide_and_recompute
from gateway.auth.roles import Permission
from gateway.auth.secrets import new_csrf_token, same
from gateway.auth.service import Principal, login, logout
from gateway.errors import BadInput
from gateway.roster.jobs import JobView
from gateway.roster.policy import load_policy
from gateway.roster.service import SolveRequest, check_range
from gateway.roster.view import edited_cells
from gateway.web.charts import coverage_chart, week_chart
from gateway.web.i18n import LANG_COOKIE, Catalogue, Lang, lang_of
from gateway.web.session import (
    LOGIN_CSRF_COOKIE,
    CsrfFailed,
    LoginRequired,
    PageForbidden,
    current,
    form_user,
    login_redirect,
    page_user,
    set_login_csrf,
    set_session_cookie,
)
from hrcore.enums import CorrectionStatus, PunchStateCode, RiskLevel
from hrcore.errors import NotFound, StoreError
from hrcore.models import Site
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.templates import load_templates
from hrcore.store.attendance import latest_day
from hrcore.store.corrections import CorrectionIn, list_corrections, request_correction
from hrcore.store.directory import get_site, list_sites
from hrcore.store.payroll import export_lines, list_runs, lock_period, run_payroll
from hrcore.store.punches import punch_activity, punches_around_day
from hrcore.store.risk import list_risk
from hrcore.store.roster import find_run, publish, roster_runs
from scheduler.model import SolveOptions

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, page_user(Permission.READ)]


@dataclass(frozen=True, slots=True)
class WebState:
    templates: Jinja2Templates
    catalogue: Catalogue


def _web(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **ctx: Any
) -> HTMLResponse:
    web = _web(request)
    lang = lang_of(request)
    response = web.templates.TemplateResponse(
        request,
        name,
        {
            "t": lambda key: web.catalogue.text(key, lang),
            "lang": lang.value,
            "other_lang": Lang.ZH.value if lang is Lang.EN else Lang.EN.value,
            "user": principal,
            "csrf": principal.csrf_token if principal else "",
            "may": (lambda p: principal.may(Permission(p))) if principal else (lambda p: False),
            **ctx,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in {lang.value for lang in Lang}:
        response.set_cookie(LANG_COOKIE, lang.value, max_age=365 * 86400, samesite="lax")
    return response


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(_safe_next(path), status_code=303)


def _sites(session: SessionDep) -> list[Site]:
    return list_sites(session)


def _site_or_first(session: SessionDep, code: str | None) -> Site | None:
    if code:
        return get_site(session, code)
    sites = _sites(session)
    return sites[0] if sites else None


# -- login ---------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: StateDep, next: str = "/") -> Response:
    return _login_form(request, state, next, failed=False)


def _login_form(request: Request, state: StateDep, next_url: str, *, failed: bool) -> Response:
    token = new_csrf_token()
    response = render(
        request,
        "login.html",
        None,
        status=401 if failed else 200,
        next=_safe_next(next_url),
        failed=failed,
        login_csrf=token,
    )
    set_login_csrf(response, state.settings, token)
    return response


@router.post("/login")
def login_post(
    request: Request,
    session: SessionDep,
    state: StateDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not same(csrf, expected):
        raise CsrfFailed
    result = login(session, state.passwords, username.strip(), password, now=state.clock())
    session.commit()
    if result is None:
        return _login_form(request, state, next, failed=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    max_age = int((result.expires_at - state.clock()).total_seconds())
    set_session_cookie(response, state.settings, result.cookie_secret, max_age)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout_post(
    request: Request,
    session: SessionDep,
    _: Annotated[Principal, form_user(Permission.READ)],
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        logout(session, cookie)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- dashboard -----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, state: StateDep, user: Reader) -> Response:
    now = state.clock()
    site = _site_or_first(session, None)
    zone = ZoneInfo(site.timezone) if site else ZoneInfo("UTC")
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    activity = punch_activity(session, since=midnight)
    latest = activity.latest
    pending = len(list_corrections(session, status=CorrectionStatus.PENDING, limit=1000))
    return render(
        request,
        "dashboard.html",
        user,
        devices=device_list(session, state, None),
        punches_today=activity.since_count,
        latest_punch=latest.astimezone(zone) if latest else None,
        outbox=state.outbox_depth(),
        red=list_risk(session, level=RiskLevel.RED),
        pending=pending,
    )


# -- roster --------------------------------------------------------------------------------


@router.get("/roster", response_class=HTMLResponse)
def roster_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    run: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    job: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    site_row = _site_or_first(session, site)
    runs = list(roster_runs(session, site_id=site_row.id, limit=20)[0]) if site_row else []
    shown = run or (runs[0].id if runs else None)
    roster = roster_out(session, state, shown) if shown else None
    job_view: JobView | None = state.jobs.get(job) if job else None
    first = (roster.date_to + timedelta(days=1)) if roster else state.clock().date()
    return render(
        request,
        "roster.html",
        user,
        sites=_sites(session),
        site=site_row,
        runs=runs,
        roster=roster,
        weeks=week_chart(roster) if roster else None,
        cover=coverage_chart(roster) if roster else None,
        job=job_view,
        solve_from=first,
        solve_to=first + timedelta(days=6),
    )


@router.post("/roster/solve")
def roster_solve(
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.ROSTER_WRITE)],
    site: Annotated[str, Form(max_length=64)],
    date_from: Annotated[date, Form()],
    date_to: Annotated[date, Form()],
    time_limit_s: Annotated[float, Form(gt=0, le=600)] = 10,
) -> Response:
    check_range(date_from, date_to)
    site_row = get_site(session, site)
    demand = site_demand(state.settings)
    if demand is None:
        raise BadInput(f"no demand.yaml in {state.settings.config_dir}")
    policy = load_policy(state.settings.config_dir / "policies" / f"{site_row.policy}.yaml")
    job = state.jobs.submit(
        SolveRequest(
            site_row.code,
            date_from,
            date_to,
            policy,
            demand,
            demand_source="demand.yaml",
            actor=user.actor,
        ),
        SolveOptions(time_limit_s=time_limit_s, workers=2),
    )
    return _back(f"/roster?site={site_row.code}&job={job.id}")


@router.post("/roster/{run_id}/resolve")
def roster_resolve(
    run_id: int,
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.ROSTER_WRITE)],
    time_limit_s: Annotated[float, Form(gt=0, le=600)] = 10,
) -> Response:
    """Solve the draft's range again, keeping every cell HR changed in it (pinned)."""
    run = find_run(session, run_id)
    if run is None:
        raise NotFound(f"roster run {run_id} does not exist")
    site_row = get_site(session, run.site_code)
    demand = site_demand(state.settings)
    if demand is None:
        raise BadInput(f"no demand.yaml in {state.settings.config_dir}")
    policy = load_policy(state.settings.config_dir / "policies" / f"{site_row.policy}.yaml")
    job = state.jobs.submit(
        SolveRequest(
            site_row.code,
            run.date_from,
            run.date_to,
            policy,
            demand,
            demand_source="demand.yaml",
            actor=user.actor,
            pins=edited_cells(session, run_id),
        ),
        SolveOptions(time_limit_s=time_limit_s, workers=2),
    )
    return _back(f"/roster?site={site_row.code}&run={run_id}&job={job.id}")


@router.post("/roster/{run_id}/publish")
def roster_publish(
    run_id: int,
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.ROSTER_WRITE)],
) -> Response:
    out = publish(session, clock=state.clock, actor=user.actor, run_id=run_id)
    session.commit()
    return _back(f"/roster?site={out.site_code}&run={out.run_id}")


# -- attendance and corrections ------------------------------------------------------------


@router.get("/attendance", response_class=HTMLResponse)
def attendance_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    day: date | None = None,
) -> Response:
    site_row = _site_or_first(session, site)
    if site_row is not None and day is None:
        day = latest_day(session, site_row)
    days = (
        day_page(
            session,
            site=site_row.code,
            date_from=day,
            date_to=day,
            employee=None,
            status_=None,
            limit=500,
            offset=0,
        )
        if site_row and day
        else None
    )
    return render(
        request, "attendance.html", user, sites=_sites(session), site=site_row, day=day, days=days
    )


@router.get("/attendance/{employee}/{day}", response_class=HTMLResponse)
def day_page_view(
    request: Request, employee: str, day: date, session: SessionDep, user: Reader
) -> Response:
    detail = day_detail(session, employee, day)
    zone = ZoneInfo(detail.timezone)
    punches = punches_around_day(session, employee, day, zone)
    return render(
        request,
        "day.html",
        user,
        d=detail,
        punches=[(p.at.astimezone(zone), p.state, p.source, p.device_sn) for p in punches],
        states=[s.value for s in PunchStateCode if s is not PunchStateCode.UNDEFINED],
    )


@router.post("/corrections")
def correction_post(
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.CORRECTION_REQUEST)],
    employee: Annotated[str, Form(max_length=64)],
    day: Annotated[date, Form()],
    at_local: Annotated[datetime, Form(description="Site-local date and time.")],
    state_: Annotated[PunchStateCode, Form(alias="state")],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    detail = day_detail(session, employee, day)
    zone = ZoneInfo(detail.timezone)
    at = at_local if at_local.tzinfo else at_local.replace(tzinfo=zone)
    request_correction(
        session,
        CorrectionIn(
            employee_code=employee,
            day=day,
            at=at,
            state=state_,
            reason=reason,
            requested_by=user.actor,
        ),
        now=state.clock(),
    )
    session.commit()
    return _back(f"/attendance/{employee}/{day}")


@router.get("/corrections", response_class=HTMLResponse)
def corrections_page(request: Request, session: SessionDep, user: Reader) -> Response:
    pending = list_corrections(session, status=CorrectionStatus.PENDING, limit=500)
    decided = [
        c for c in list_corrections(session, limit=500) if c.status is not CorrectionStatus.PENDING
    ][-50:]
    return render(request, "corrections.html", user, pending=pending, decided=decided)


@router.post("/corrections/{request_id}/{decision}")
def correction_decide(
    request_id: int,
    decision: str,
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.CORRECTION_DECIDE)],
    note: Annotated[str, Form(max_length=500)] = "",
    back: Annotated[str, Form(max_length=500)] = "/corrections",
) -> Response:
    if decision not in {"approve", "reject"}:
        return _back("/corrections")
    decide_and_recompute(
        session,
        request_id,
        approve=decision == "approve",
        decided_by=user.actor,
        note=note or None,
        clock=state.clock,
    )
    session.commit()
    return _back(back)


# -- payroll and risk ----------------------------------------------------------------------


@router.get("/payroll", response_class=HTMLResponse)
def payroll_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, page_user(Permission.PAYROLL_READ)],
    run: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    runs = list(list_runs(session))
    shown = run or (runs[0].run_id if runs else None)
    lines = export_lines(session, shown) if shown else ()
    current = next((r for r in runs if r.run_id == shown), None)
    return render(
        request,
        "payroll.html",
        user,
        runs=runs,
        run=current,
        lines=lines,
        sites=_sites(session),
        month=(current.month if current else state.clock().date()).strftime("%Y-%m"),
    )


@router.post("/payroll/run")
def payroll_run(
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.PAYROLL_WRITE)],
    site: Annotated[str, Form(max_length=64)],
    month: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
) -> Response:
    first = date.fromisoformat(f"{month}-01")
    try:
        templates = load_templates(state.settings.config_dir / "policies" / "cn")
        report = run_payroll(
            session, site, first, templates=templates, clock=state.clock, actor=user.actor
        )
    except PayrollError as exc:
        raise BadInput(str(exc)) from exc
    session.commit()
    return _back(f"/payroll?run={report.run_id}")


@router.post("/payroll/lock")
def payroll_lock(
    session: SessionDep,
    state: StateDep,
    user: Annotated[Principal, form_user(Permission.PAYROLL_WRITE)],
    site: Annotated[str, Form(max_length=64)],
    month: Annotated[date, Form()],
    run: Annotated[int, Form(ge=1)],
) -> Response:
    lock_period(session, site, month, clock=state.clock, actor=user.actor)
    session.commit()
    return _back(f"/payroll?run={run}")


@router.get("/risk", response_class=HTMLResponse)
def risk_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    return render(request, "risk.html", user, rows=list_risk(session, site_code=site))


# -- wiring --------------------------------------------------------------------------------


def install_web(app: FastAPI) -> None:
    """Mount the pages, the static files and the handlers that answer pages in HTML."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.web = WebState(templates=templates, catalogue=Catalogue.load())
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)

    async def to_login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_redirect(_safe_next(exc.next_url)), status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageForbidden)
        return render(request, "forbidden.html", exc.principal, status=403)

    async def csrf_failed(request: Request, exc: Exception) -> Response:
        return HTMLResponse(
            "<p>The form's security token did not match (a stale page?). Go back, reload, "
            "and send it again.</p>",
            status_code=403,
        )

    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(PageForbidden, forbidden)

    async def refused(request: Request, exc: Exception) -> Response:
        """A store or input refusal: JSON error body for the API, a page for the UI."""
        if request.url.path.startswith("/api/"):
            return await store_error_response(request, exc)
        status = 404 if isinstance(exc, NotFound) else 422
        user = current(request, request.app.state.shiftgate)
        return render(
            request,
            "error.html",
            user,
            status=status,
            message=str(exc),
            back=_safe_next(request.headers.get("referer", "/")),
        )

    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(PageForbidden, forbidden)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(StoreError, refused)
    app.add_exception_handler(BadInput, refused)
