"""People in the store: applying a validated HR import (all or nothing, idempotent on natural
keys, audited), and reading an employee's profile.

An import is checked first by :func:`hrcore.people.validation.check_import` against
:func:`known_codes`; :func:`apply_import` refuses a check with problems, so a file with one
bad row stores nothing. Re-importing the same file changes no row and writes no audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.enums import RiskLevel
from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    AttendanceDay,
    Course,
    CourseCompletion,
    Employee,
    KpiValue,
    Leave,
    OrgUnit,
    RiskAssessment,
    RiskFlag,
    Site,
    SurveyAnswer,
)
from hrcore.people.ladder import Ladder, LadderPosition, PersonRecord, place
from hrcore.people.records import (
    CompletionRecord,
    CourseRecord,
    EmployeeRecord,
    ImportTable,
    KpiValueRecord,
    LeaveRecord,
    SurveyRecord,
)
from hrcore.people.scorecard import KpiValue as KpiPoint
from hrcore.people.scorecard import Scorecard, ScorecardConfig, scorecards
from hrcore.people.validation import ImportCheck, KnownCodes
from hrcore.store.audit import AuditIn, record_audit


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    table: ImportTable
    file: str
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def known_codes(session: Session, *, kpis: frozenset[str] | None = None) -> KnownCodes:
    """The codes an import may refer to: employees, courses, sites and org units."""
    return KnownCodes(
        employees=frozenset(session.scalars(select(Employee.code))),
        courses=frozenset(session.scalars(select(Course.code))),
        sites=frozenset(session.scalars(select(Site.code))),
        org_units=frozenset(session.scalars(select(OrgUnit.code))),
        kpis=kpis,
    )


class _Counter:
    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = 0

    def apply(self, row: Any, values: dict[str, Any]) -> None:
        """Set ``values`` on an existing row, counting whether anything differed."""
        if all(getattr(row, k) == v for k, v in values.items()):
            self.unchanged += 1
            return
        for k, v in values.items():
            setattr(row, k, v)
        self.updated += 1


def _employee_ids(session: Session) -> dict[str, int]:
    return {k: v for k, v in session.execute(select(Employee.code, Employee.id))}


def _employees(session: Session, records: Sequence[EmployeeRecord], n: _Counter) -> None:
    sites = {k: v for k, v in session.execute(select(Site.code, Site.id))}
    units = {k: v for k, v in session.execute(select(OrgUnit.code, OrgUnit.id))}
    rows = {e.code: e for e in session.scalars(select(Employee))}
    for r in records:
        if r.site not in sites:
            raise NotFound(f"{r.source}: site {r.site!r} does not exist")
        if r.org_unit is not None and r.org_unit not in units:
            raise NotFound(f"{r.source}: org unit {r.org_unit!r} does not exist")
        # a field the file leaves empty keeps what the store has (an import never erases)
        values: dict[str, Any] = {"name": r.name, "hire_date": r.hire_date}
        if r.exit_date is not None:
            values["exit_date"] = r.exit_date
        if r.org_unit is not None:
            values["org_unit_id"] = units[r.org_unit]
        if r.job_title is not None:
            values["job_title"] = r.job_title
        if r.skills:
            values["skills"] = list(r.skills)
        row = rows.get(r.code)
        if row is None:
            session.add(Employee(code=r.code, site_id=sites[r.site], **{"skills": [], **values}))
            n.created += 1
            continue
        if row.site_id != sites[r.site]:
            raise InvalidData(
                f"{r.source}: employee {r.code!r} belongs to another site; moving people between "
                "sites is not an import"
            )
        n.apply(row, values)


def _leave(session: Session, records: Sequence[LeaveRecord], n: _Counter, at: datetime) -> None:
    ids = _employee_ids(session)
    rows = {
        (row.employee_id, row.kind, row.start_date): row
        for row in session.scalars(select(Leave).where(Leave.employee_id.in_(ids.values())))
    }
    for r in records:
        emp = ids[r.employee]
        values: dict[str, Any] = {"end_date": r.end, "approved": r.approved, "note": r.note}
        row = rows.get((emp, r.kind, r.start))
        if row is None:
            session.add(
                Leave(
                    employee_id=emp,
                    kind=r.kind,
                    start_date=r.start,
                    source=r.source,
                    changed_at=at,
                    touched_from=r.start,
                    touched_to=r.end,
                    **values,
                )
            )
            n.created += 1
        else:
            before = n.updated
            old_end = row.end_date
            n.apply(row, values)
            if n.updated > before:
                row.source = r.source
                touch_leave(row, at, old_end)


def touch_leave(row: Leave, at: datetime, old_end: date) -> None:
    """Stamp an edited leave with its change time and widen the span it has touched (to the
    end it had before the edit), so incremental attendance recomputes every day it moved."""
    row.changed_at = at
    row.touched_from = min(row.touched_from or row.start_date, row.start_date)
    row.touched_to = max(row.touched_to or old_end, old_end, row.end_date)


def _courses(session: Session, records: Sequence[CourseRecord], n: _Counter) -> None:
    rows = {c.code: c for c in session.scalars(select(Course))}
    for r in records:
        values: dict[str, Any] = {"title": r.title, "hours": r.hours}
        row = rows.get(r.code)
        if row is None:
            session.add(Course(code=r.code, source=r.source, **values))
            n.created += 1
        else:
            n.apply(row, values)


def _completions(session: Session, records: Sequence[CompletionRecord], n: _Counter) -> None:
    ids = _employee_ids(session)
    courses = {k: v for k, v in session.execute(select(Course.code, Course.id))}
    rows = {(c.employee_id, c.course_id): c for c in session.scalars(select(CourseCompletion))}
    for r in records:
        key = (ids[r.employee], courses[r.course])
        values: dict[str, Any] = {"percent": r.percent, "completed_on": r.completed_on}
        row = rows.get(key)
        if row is None:
            session.add(
                CourseCompletion(employee_id=key[0], course_id=key[1], source=r.source, **values)
            )
            n.created += 1
        else:
            n.apply(row, values)


def _kpis(session: Session, records: Sequence[KpiValueRecord], n: _Counter) -> None:
    ids = _employee_ids(session)
    periods = {r.period for r in records}
    rows = {
        (k.employee_id, k.period, k.kpi): k
        for k in session.scalars(select(KpiValue).where(KpiValue.period.in_(periods)))
    }
    for r in records:
        key = (ids[r.employee], r.period, r.kpi)
        row = rows.get(key)
        if row is None:
            session.add(
                KpiValue(
                    employee_id=key[0], period=r.period, kpi=r.kpi, value=r.value, source=r.source
                )
            )
            n.created += 1
        else:
            n.apply(row, {"value": r.value})


def _surveys(session: Session, records: Sequence[SurveyRecord], n: _Counter) -> None:
    ids = _employee_ids(session)
    rows = {(s.employee_id, s.period): s for s in session.scalars(select(SurveyAnswer))}
    for r in records:
        key = (ids[r.employee], r.period)
        values: dict[str, Any] = {"wellbeing": r.wellbeing, "under_pressure": r.under_pressure}
        row = rows.get(key)
        if row is None:
            session.add(
                SurveyAnswer(employee_id=key[0], period=r.period, source=r.source, **values)
            )
            n.created += 1
        else:
            n.apply(row, values)


def apply_import(
    session: Session, check: ImportCheck, *, actor: str, at: datetime
) -> ImportOutcome:
    """Store a checked import in the caller's transaction: every record or (on any problem)
    none. Rows are matched on their natural keys; an unchanged re-import writes nothing."""
    if check.problems:
        raise InvalidData(
            f"{check.file}: {len(check.problems)} problem(s); fix them and import again "
            "(nothing was stored)"
        )
    n = _Counter()
    records: Any = check.records
    writers: dict[ImportTable, Callable[[Session, Any, _Counter], None]] = {
        ImportTable.EMPLOYEES: _employees,
        ImportTable.LEAVE: lambda s, r, n: _leave(s, r, n, at),
        ImportTable.COURSES: _courses,
        ImportTable.COMPLETIONS: _completions,
        ImportTable.KPIS: _kpis,
        ImportTable.SURVEYS: _surveys,
    }
    writers[check.table](session, records, n)
    session.flush()
    outcome = ImportOutcome(check.table, check.file, n.created, n.updated, n.unchanged)
    if outcome.changed:
        record_audit(
            session,
            AuditIn(
                at=at,
                actor=actor,
                action="import",
                entity=check.table.value,
                entity_id=check.file,
                detail={
                    "rows": check.rows,
                    "created": n.created,
                    "updated": n.updated,
                    "unchanged": n.unchanged,
                },
            ),
        )
    return outcome


# -- the profile -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekHours:
    monday: date
    worked_minutes: int
    overtime_minutes: int

    @property
    def label(self) -> str:
        iso = self.monday.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"


@dataclass(frozen=True, slots=True)
class LeaveView:
    kind: str
    start: date
    end: date
    approved: bool
    source: str


@dataclass(frozen=True, slots=True)
class TrainingView:
    course: str
    title: str
    percent: Decimal
    completed_on: date | None


@dataclass(frozen=True, slots=True)
class FlagView:
    kind: str
    date: date
    summary: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonProfile:
    code: str
    name: str
    site: str
    org_unit: str | None
    job_title: str | None
    hire_date: date
    exit_date: date | None
    skills: tuple[str, ...]
    weeks: tuple[WeekHours, ...]
    leave: tuple[LeaveView, ...]
    training: tuple[TrainingView, ...]
    scorecards: tuple[Scorecard, ...]
    ladder: LadderPosition | None
    level: RiskLevel | None
    reason: str
    flags: tuple[FlagView, ...]


def kpi_points(session: Session, employee_ids: Sequence[int]) -> dict[int, list[KpiPoint]]:
    out: dict[int, list[KpiPoint]] = defaultdict(list)
    for emp, period, kpi, value in session.execute(
        select(KpiValue.employee_id, KpiValue.period, KpiValue.kpi, KpiValue.value).where(
            KpiValue.employee_id.in_(employee_ids)
        )
    ):
        out[emp].append(KpiPoint(period, kpi, value))
    return out


def stored_flags(session: Session, employee_id: int) -> tuple[FlagView, ...]:
    return tuple(
        FlagView(
            kind=f.kind,
            date=f.date,
            summary=f.detail,
            evidence=tuple(
                f"{e['date']}: {e['text']}" + (f" [{e['source']}]" if e.get("source") else "")
                for e in f.evidence
            ),
        )
        for f in session.scalars(
            select(RiskFlag).where(RiskFlag.employee_id == employee_id).order_by(RiskFlag.id)
        )
    )


def profile(
    session: Session,
    code: str,
    *,
    as_of: date,
    weeks: int = 8,
    scorecard: ScorecardConfig | None = None,
    ladders: dict[str, Ladder] | None = None,
    course_titles: dict[str, str] | None = None,
) -> PersonProfile:
    """One employee on one screen: who, hours by week, leave, training, scorecard by period,
    place on the career ladder and the open risk flags."""
    emp = session.scalar(select(Employee).where(Employee.code == code))
    if emp is None:
        raise NotFound(f"employee {code!r} does not exist; check the code or import it")
    site = session.get(Site, emp.site_id)
    unit = session.get(OrgUnit, emp.org_unit_id) if emp.org_unit_id is not None else None
    monday = as_of - timedelta(days=as_of.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    by_week: dict[date, list[int]] = {first + timedelta(weeks=i): [0, 0] for i in range(weeks)}
    for d, worked, ot_w, ot_r, ot_h in session.execute(
        select(
            AttendanceDay.date,
            AttendanceDay.worked_minutes,
            AttendanceDay.overtime_workday_minutes,
            AttendanceDay.overtime_restday_minutes,
            AttendanceDay.overtime_holiday_minutes,
        ).where(
            AttendanceDay.employee_id == emp.id,
            AttendanceDay.date >= first,
            AttendanceDay.date <= as_of,
        )
    ):
        week = by_week[d - timedelta(days=d.weekday())]
        week[0] += worked
        week[1] += ot_w + ot_r + ot_h
    leave = tuple(
        LeaveView(lv.kind.value, lv.start_date, lv.end_date, lv.approved, lv.source or "")
        for lv in session.scalars(
            select(Leave)
            .where(Leave.employee_id == emp.id, Leave.end_date >= as_of - timedelta(days=90))
            .order_by(Leave.start_date)
        )
    )
    titles = dict(course_titles or {})
    training = []
    completions: dict[str, Decimal] = {}
    for course, done in session.execute(
        select(Course, CourseCompletion)
        .join(CourseCompletion, CourseCompletion.course_id == Course.id)
        .where(CourseCompletion.employee_id == emp.id)
        .order_by(Course.code)
    ):
        titles.setdefault(course.code, course.title)
        completions[course.code] = done.percent
        training.append(TrainingView(course.code, course.title, done.percent, done.completed_on))
    cards: tuple[Scorecard, ...] = ()
    if scorecard is not None:
        cards = scorecards(
            emp.code, kpi_points(session, [emp.id]).get(emp.id, []), scorecard, emp.job_title
        )
    position = None
    if ladders and emp.job_title in ladders:
        series: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for point in kpi_points(session, [emp.id]).get(emp.id, []):
            series[point.kpi][point.period] = point.value
        person = PersonRecord(
            skills=frozenset(emp.skills),
            completions=completions,
            kpis=series,
            points={c.period: c.points for c in cards},
        )
        position = place(ladders[emp.job_title], person, titles)
    assessment = session.scalar(select(RiskAssessment).where(RiskAssessment.employee_id == emp.id))
    return PersonProfile(
        code=emp.code,
        name=emp.name,
        site=site.code if site is not None else "",
        org_unit=unit.code if unit is not None else None,
        job_title=emp.job_title,
        hire_date=emp.hire_date,
        exit_date=emp.exit_date,
        skills=tuple(emp.skills),
        weeks=tuple(WeekHours(m, w, o) for m, (w, o) in sorted(by_week.items())),
        leave=leave,
        training=tuple(training),
        scorecards=cards,
        ladder=position,
        level=assessment.level if assessment is not None else None,
        reason=assessment.reason if assessment is not None else "not evaluated yet",
        flags=stored_flags(session, emp.id),
    )
