"""Risk in the store: gathering each employee's facts for :mod:`hrcore.risk`, keeping the
latest flags and level, and the alerts a turn to red raises (one per turn, not per punch).

Facts come from attendance_days (hours and overtime), leaves, kpi_values (through the
scorecard), survey_answers and the published roster (shifts still ahead, for the forecast).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from hrcore.attendance.errors import AttendanceError
from hrcore.attendance.model import DayCalendar, DayKind, WeekendCalendar
from hrcore.attendance.overtime import load_policy
from hrcore.db import Base
from hrcore.enums import RiskLevel, RiskSeverity, RosterStatus
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AttendanceDay,
    Employee,
    Leave,
    PunchRecord,
    RiskAlert,
    RiskAssessment,
    RiskFlag,
    RosterAssignment,
    RosterRun,
    ShiftType,
    Site,
    SurveyAnswer,
)
from hrcore.people.scorecard import ScorecardConfig, scorecards
from hrcore.risk.assess import assess
from hrcore.risk.model import (
    Assessment,
    Flag,
    LeaveSpan,
    PeriodScore,
    PlannedShift,
    RiskConfig,
    RiskInput,
    RiskKind,
    WorkedDay,
)
from hrcore.risk.model import (
    SurveyAnswer as SurveyFact,
)
from hrcore.store.attendance import recompute_stale
from hrcore.store.audit import AuditIn, record_audit
from hrcore.store.people import kpi_points

Clock = Callable[[], datetime]
REGULAR_DAY_MINUTES = 8 * 60
#: compliance breaches are critical, the other signals warnings
SEVERITY = {RiskKind.MONTHLY_OVERTIME: RiskSeverity.CRITICAL}


class _Calendar:
    """The site policy's calendar, falling back to Mon-Fri for years it does not cover."""

    def __init__(self, policy_code: str) -> None:
        try:
            self.inner: DayCalendar = load_policy(policy_code).calendar
        except AttendanceError:
            self.inner = WeekendCalendar()
        self.fallback = WeekendCalendar()

    def rest(self, day: date) -> bool:
        try:
            return self.inner.kind(day) is not DayKind.WORKDAY
        except AttendanceError:
            return self.fallback.kind(day) is not DayKind.WORKDAY


def _period_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:]), 1)


def _month_end(day: date) -> date:
    nxt = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return nxt - timedelta(days=1)


def risk_inputs(
    session: Session,
    as_of: date,
    config: RiskConfig,
    *,
    scorecard: ScorecardConfig | None = None,
    site_code: str | None = None,
    employee_ids: Iterable[int] | None = None,
) -> dict[int, RiskInput]:
    """Each (active) employee's facts as of a date, by employee id."""
    t = config.thresholds
    first = as_of - timedelta(weeks=t.lookback_weeks + 1)
    query = select(
        Employee.id,
        Employee.code,
        Employee.job_title,
        Employee.monthly_overtime_cap_minutes,
        Site.code.label("site"),
        Site.policy,
    ).join(Site, Site.id == Employee.site_id)
    if site_code is not None:
        query = query.where(Site.code == site_code)
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    query = query.where((Employee.exit_date.is_(None)) | (Employee.exit_date >= first))
    people = list(session.execute(query))
    ids = [e.id for e in people]
    policy_of = {e.id: e.policy for e in people}
    rest_of: dict[str, dict[date, bool]] = {}
    for policy in set(policy_of.values()):
        cal = _Calendar(policy)
        day, last = first - timedelta(days=1), _month_end(as_of)
        rest_of[policy] = {}
        while day <= last:
            rest_of[policy][day] = cal.rest(day)
            day += timedelta(days=1)
    days: dict[int, list[WorkedDay]] = defaultdict(list)
    for emp, d, worked, ot_w, ot_r, ot_h in session.execute(
        select(
            AttendanceDay.employee_id,
            AttendanceDay.date,
            AttendanceDay.worked_minutes,
            AttendanceDay.overtime_workday_minutes,
            AttendanceDay.overtime_restday_minutes,
            AttendanceDay.overtime_holiday_minutes,
        )
        .where(
            AttendanceDay.employee_id.in_(ids),
            AttendanceDay.date >= first,
            AttendanceDay.date <= as_of,
        )
        .order_by(AttendanceDay.employee_id, AttendanceDay.date)
    ):
        if worked <= 0:
            continue
        days[emp].append(
            WorkedDay(
                date=d,
                worked_minutes=worked,
                overtime_minutes=ot_w + ot_r + ot_h,
                rest_day=rest_of[policy_of[emp]][d],
                source=f"attendance {d}",
            )
        )
    leave_from = date(as_of.year - 1, 12, 1) if as_of.month <= t.leave_months else first
    leave: dict[int, list[LeaveSpan]] = defaultdict(list)
    for lv in session.scalars(
        select(Leave).where(
            Leave.employee_id.in_(ids),
            Leave.approved.is_(True),
            Leave.end_date >= min(leave_from, first),
            Leave.start_date <= as_of,
        )
    ):
        leave[lv.employee_id].append(
            LeaveSpan(lv.kind, lv.start_date, lv.end_date, lv.source or f"leave #{lv.id}")
        )
    scores: dict[int, list[PeriodScore]] = defaultdict(list)
    if scorecard is not None:
        job = {e.id: e.job_title for e in people}
        for emp, points in kpi_points(session, ids).items():
            for card in scorecards(str(emp), points, scorecard, job.get(emp)):
                scores[emp].append(
                    PeriodScore(card.period, card.points, f"scorecard {card.period}")
                )
    surveys: dict[int, list[SurveyFact]] = defaultdict(list)
    for s in session.scalars(select(SurveyAnswer).where(SurveyAnswer.employee_id.in_(ids))):
        surveys[s.employee_id].append(
            SurveyFact(s.period, s.source or f"survey {s.period}", s.wellbeing, s.under_pressure)
        )
    planned: dict[int, dict[date, PlannedShift]] = defaultdict(dict)
    for emp, d, run_id, shift in session.execute(
        select(RosterAssignment.employee_id, RosterAssignment.date, RosterRun.id, ShiftType)
        .join(RosterRun, RosterRun.id == RosterAssignment.roster_run_id)
        .join(ShiftType, ShiftType.id == RosterAssignment.shift_type_id)
        .where(
            RosterAssignment.employee_id.in_(ids),
            RosterRun.status == RosterStatus.PUBLISHED,
            RosterAssignment.date > as_of,
            RosterAssignment.date <= _month_end(as_of),
        )
        .order_by(RosterRun.published_at)
    ):
        start = datetime.combine(d, shift.start)
        end = datetime.combine(d if shift.end > shift.start else d + timedelta(days=1), shift.end)
        minutes = int((end - start).total_seconds() // 60) - shift.break_minutes
        rest = rest_of[policy_of[emp]][d]
        overtime = minutes if rest else max(0, minutes - REGULAR_DAY_MINUTES)
        # a later published run replaces an earlier one's shift on the same date
        planned[emp][d] = PlannedShift(d, minutes, overtime, f"roster run {run_id}")
    out = {}
    for e in people:
        out[e.id] = RiskInput(
            employee=e.code,
            days=tuple(days[e.id]),
            planned=tuple(planned[e.id].values()),
            leave=tuple(leave[e.id]),
            scores=tuple(scores[e.id]),
            surveys=tuple(surveys[e.id]),
            site=e.site,
            monthly_overtime_cap_minutes=e.monthly_overtime_cap_minutes,
        )
    return out


@dataclass(frozen=True, slots=True)
class RiskEvaluation:
    assessments: tuple[Assessment, ...]
    alerts: tuple[int, ...]  # ids of the alerts raised (turns to red)

    def count(self, level: RiskLevel) -> int:
        return sum(1 for a in self.assessments if a.level is level)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _evidence_json(flag: Flag) -> list[dict[str, str]]:
    return [{"date": e.date.isoformat(), "text": e.text, "source": e.source} for e in flag.evidence]


def evaluate_risk(
    session: Session,
    as_of: date,
    *,
    config: RiskConfig,
    clock: Clock,
    scorecard: ScorecardConfig | None = None,
    site_code: str | None = None,
    employee_ids: Iterable[int] | None = None,
    trigger_at: dict[int, datetime] | None = None,
) -> RiskEvaluation:
    """Assess the employees, keep their flags and level, and raise one alert for each one
    whose level turned red (``trigger_at``: when the facts that did it reached the store)."""
    inputs = risk_inputs(
        session,
        as_of,
        config,
        scorecard=scorecard,
        site_code=site_code,
        employee_ids=employee_ids,
    )
    now = clock()
    ids = list(inputs)
    before: dict[int, RiskLevel] = {
        emp: level
        for emp, level in session.execute(
            select(RiskAssessment.employee_id, RiskAssessment.level).where(
                RiskAssessment.employee_id.in_(ids)
            )
        )
    }
    session.execute(delete(RiskFlag).where(RiskFlag.employee_id.in_(ids)))
    session.execute(delete(RiskAssessment).where(RiskAssessment.employee_id.in_(ids)))
    results = []
    alerts: list[RiskAlert] = []
    flag_rows: list[dict[str, object]] = []
    level_rows: list[dict[str, object]] = []
    for emp, inp in inputs.items():
        result = assess(inp, as_of, config)
        results.append(result)
        flag_rows.extend(
            {
                "employee_id": emp,
                "date": f.date,
                "kind": f.kind.value,
                "severity": SEVERITY.get(f.kind, RiskSeverity.WARNING),
                "detail": f.summary,
                "created_at": now,
                "evidence": _evidence_json(f),
            }
            for f in result.flags
        )
        level_rows.append(
            {
                "employee_id": emp,
                "level": result.level,
                "reason": result.reason,
                "as_of": as_of,
                "evaluated_at": now,
            }
        )
        was = before[emp] if emp in before else RiskLevel.GREEN
        if result.level is RiskLevel.RED and was is not RiskLevel.RED:
            alerts.append(
                RiskAlert(
                    employee_id=emp,
                    level=result.level,
                    reason=result.reason,
                    flags=[
                        {"kind": f.kind.value, "summary": f.summary, "evidence": _evidence_json(f)}
                        for f in result.flags
                    ],
                    raised_at=now,
                    trigger_at=(trigger_at or {}).get(emp),
                    attempts=0,
                )
            )
    session.add_all(alerts)
    session.flush()
    raised = [a.id for a in alerts]
    # Core inserts: the rows are plain values, the ORM's bookkeeping would only cost time
    for start in range(0, len(flag_rows), 5000):
        session.execute(insert(_table(RiskFlag.__tablename__)), flag_rows[start : start + 5000])
    for start in range(0, len(level_rows), 5000):
        session.execute(
            insert(_table(RiskAssessment.__tablename__)), level_rows[start : start + 5000]
        )
    session.flush()
    return RiskEvaluation(tuple(results), tuple(raised))


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskRow:
    employee: str
    name: str
    site: str
    level: RiskLevel
    reason: str
    as_of: date
    flags: tuple[tuple[str, str], ...]  # (kind, summary)


def list_risk(
    session: Session, *, site_code: str | None = None, level: RiskLevel | None = None
) -> list[RiskRow]:
    """The latest level of every evaluated employee, worst first."""
    query = (
        select(RiskAssessment, Employee, Site)
        .join(Employee, Employee.id == RiskAssessment.employee_id)
        .join(Site, Site.id == Employee.site_id)
    )
    if site_code is not None:
        query = query.where(Site.code == site_code)
    if level is not None:
        query = query.where(RiskAssessment.level == level)
    rows = list(session.execute(query))
    flags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for f in session.scalars(
        select(RiskFlag)
        .where(RiskFlag.employee_id.in_([e.id for _, e, _ in rows]))
        .order_by(RiskFlag.id)
    ):
        flags[f.employee_id].append((f.kind, f.detail))
    out = [
        RiskRow(e.code, e.name, s.code, a.level, a.reason, a.as_of, tuple(flags[e.id]))
        for a, e, s in rows
    ]
    out.sort(key=lambda r: (-r.level.rank, -len(r.flags), r.employee))
    return out


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    employee: str
    name: str
    level: RiskLevel
    reason: str
    flags: tuple[dict[str, object], ...]
    raised_at: datetime
    trigger_at: datetime | None
    delivered_at: datetime | None
    attempts: int
    last_error: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None


def _view(alert: RiskAlert, emp: Employee) -> AlertView:
    return AlertView(
        id=alert.id,
        employee=emp.code,
        name=emp.name,
        level=alert.level,
        reason=alert.reason,
        flags=tuple(alert.flags),
        raised_at=alert.raised_at,
        trigger_at=alert.trigger_at,
        delivered_at=alert.delivered_at,
        attempts=alert.attempts,
        last_error=alert.last_error,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        ack_note=alert.ack_note,
    )


def list_alerts(
    session: Session, *, open_only: bool = False, undelivered_below: int | None = None
) -> list[AlertView]:
    """Alerts, newest first; ``open_only``: not acknowledged; ``undelivered_below``: not
    delivered yet and tried fewer times than that."""
    query = select(RiskAlert, Employee).join(Employee, Employee.id == RiskAlert.employee_id)
    if open_only:
        query = query.where(RiskAlert.acknowledged_at.is_(None))
    if undelivered_below is not None:
        query = query.where(
            RiskAlert.delivered_at.is_(None), RiskAlert.attempts < undelivered_below
        )
    return [_view(a, e) for a, e in session.execute(query.order_by(RiskAlert.id.desc()))]


def record_delivery(
    session: Session, alert_id: int, *, at: datetime, error: str | None = None
) -> None:
    """One delivery attempt of an alert: delivered at ``at``, or failed with ``error``."""
    alert = session.get(RiskAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    alert.attempts += 1
    if error is None:
        alert.delivered_at = at
        alert.last_error = None
    else:
        alert.last_error = error
    session.flush()


def acknowledge_alert(
    session: Session, alert_id: int, *, actor: str, note: str, at: datetime
) -> AlertView:
    """A person has seen the alert and says what is done about it (audited)."""
    alert = session.get(RiskAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist; `shiftgate risk alerts` lists them")
    if not note.strip():
        raise InvalidData(f"alert {alert_id}: say what is done about it (--note)")
    if alert.acknowledged_at is not None:
        raise InvalidData(
            f"alert {alert_id} was acknowledged by {alert.acknowledged_by} at "
            f"{alert.acknowledged_at:%Y-%m-%d %H:%M} UTC"
        )
    alert.acknowledged_at, alert.acknowledged_by, alert.ack_note = at, actor, note.strip()
    emp = session.get(Employee, alert.employee_id)
    assert emp is not None
    record_audit(
        session,
        AuditIn(
            at=at,
            actor=actor,
            action="acknowledge",
            entity="risk_alert",
            entity_id=str(alert_id),
            detail={"employee": emp.code, "note": note.strip()},
        ),
    )
    return _view(alert, emp)


def employee_id_of(session: Session, code: str) -> int:
    emp = session.scalar(select(Employee.id).where(Employee.code == code))
    if emp is None:
        raise NotFound(f"employee {code!r} does not exist")
    return emp


def employees_with_punches(
    session: Session,
    stored_after: datetime,
    stored_until: datetime,
    *,
    overlap: timedelta = timedelta(0),
) -> dict[int, datetime]:
    """Employees whose punches reached the store in ``(stored_after - overlap,
    stored_until]``, with the earliest arrival after ``stored_after`` (the overlap only
    re-reads a window a late commit may have landed in): the trigger an alert's delay is
    measured from."""
    new: dict[int, datetime] = {}
    seen: dict[int, datetime] = {}
    for emp, stored in session.execute(
        select(PunchRecord.employee_id, PunchRecord.stored_at).where(
            PunchRecord.stored_at > stored_after - overlap,
            PunchRecord.stored_at <= stored_until,
            PunchRecord.employee_id.is_not(None),
        )
    ):
        if emp is None:
            continue
        into = new if stored > stored_after else seen
        if emp not in into or stored < into[emp]:
            into[emp] = stored
    return {emp: new.get(emp, at) for emp, at in {**seen, **new}.items()}


def punch_days(session: Session, employee_ids: Sequence[int], stored_after: datetime) -> set[date]:
    """UTC dates of those employees' punches stored after ``stored_after``."""
    return {
        at.date()
        for (at,) in session.execute(
            select(PunchRecord.at).where(
                PunchRecord.employee_id.in_(list(employee_ids)),
                PunchRecord.stored_at > stored_after,
            )
        )
    }


def reevaluate_after_punches(
    session: Session,
    stored_after: datetime,
    stored_until: datetime,
    *,
    config: RiskConfig,
    clock: Clock,
    scorecard: ScorecardConfig | None = None,
    overlap: timedelta = timedelta(0),
    as_of: date | None = None,
) -> RiskEvaluation:
    """The employees whose punches reached the store in ``(stored_after, stored_until]``
    (and ``overlap`` before it, see :func:`employees_with_punches`):
    their attendance is recomputed where stale and their risk evaluated as of today (each
    site's local date, unless ``as_of`` is given), an alert raised for each turn to red."""
    affected = employees_with_punches(session, stored_after, stored_until, overlap=overlap)
    if not affected:
        return RiskEvaluation((), ())
    days = punch_days(session, list(affected), stored_after - overlap)
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=1)
    recompute_stale(session, first, last, clock=clock)
    now = clock()
    by_site: dict[int, list[int]] = defaultdict(list)
    for emp, site_id in session.execute(
        select(Employee.id, Employee.site_id).where(Employee.id.in_(list(affected)))
    ):
        by_site[site_id].append(emp)
    assessments: list[Assessment] = []
    alerts: list[int] = []
    for site_id, employees in sorted(by_site.items()):
        site = session.get(Site, site_id)
        assert site is not None
        result = evaluate_risk(
            session,
            as_of or now.astimezone(ZoneInfo(site.timezone)).date(),
            config=config,
            clock=clock,
            scorecard=scorecard,
            employee_ids=employees,
            trigger_at=affected,
        )
        assessments.extend(result.assessments)
        alerts.extend(result.alerts)
    return RiskEvaluation(tuple(assessments), tuple(alerts))
