"""Risk in the store: facts gathered from attendance, leave, surveys and the published
roster; flags and level kept; one alert per turn to red; acknowledging it is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.enums import RiskLevel, RosterStatus
from hrcore.errors import InvalidData
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    RiskAlert,
    RiskFlag,
    RosterAssignment,
    RosterRun,
    ShiftType,
    SurveyAnswer,
)
from hrcore.risk.model import RiskConfig, RiskKind
from hrcore.store import EmployeeIn, ShiftTypeIn, SiteIn, save_employee, save_shift_type, save_site
from hrcore.store.risk import (
    acknowledge_alert,
    employee_id_of,
    evaluate_risk,
    list_alerts,
    list_risk,
    record_delivery,
)

AS_OF = date(2026, 9, 20)
NOW = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)
CONFIG = RiskConfig()


def clock() -> datetime:
    return NOW


@pytest.fixture
def factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_factory.begin() as session:
        site = save_site(session, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
        save_shift_type(session, site, ShiftTypeIn("LONG", time(8), time(20), break_minutes=60))
        for code in ("E1", "E2"):
            save_employee(session, site, EmployeeIn(code, f"name {code}", date(2024, 1, 1)))
    return session_factory


def add_days(session: Session, code: str, days: list[tuple[date, int, int]]) -> None:
    emp = employee_id_of(session, code)
    session.add_all(
        AttendanceDay(
            employee_id=emp,
            date=d,
            status="present",
            worked_minutes=worked,
            overtime_workday_minutes=ot,
            computed_at=NOW,
        )
        for d, worked, ot in days
    )


def long_weeks(first_monday: date, weeks: int) -> list[tuple[date, int, int]]:
    """5 days of 10.5 h (2.5 h overtime) a week: 52.5 h."""
    return [
        (first_monday + timedelta(weeks=w, days=i), 630, 150)
        for w in range(weeks)
        for i in range(5)
    ]


def test_sustained_hours_and_a_survey_turn_red_once(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        add_days(session, "E1", long_weeks(date(2026, 8, 31), 3))
        add_days(session, "E2", [(date(2026, 9, 14), 480, 0)])
        session.add(
            SurveyAnswer(
                employee_id=employee_id_of(session, "E1"),
                period="2026-09",
                under_pressure=True,
                source="survey.csv:4",
            )
        )
    with factory.begin() as session:
        result = evaluate_risk(session, AS_OF, config=CONFIG, clock=clock)
        assert {a.employee: a.level for a in result.assessments} == {
            "E1": RiskLevel.RED,
            "E2": RiskLevel.GREEN,
        }
        assert len(result.alerts) == 1
    with factory() as session:
        rows = list_risk(session, level=RiskLevel.RED)
        assert [(r.employee, r.reason) for r in rows] == [("E1", "red: long weeks + 1 more signal")]
        # September's overtime so far is 14 x 2.5 h = 35 h: under the 36 h cap
        assert [k for k, _ in rows[0].flags] == ["long_weeks", "under_pressure"]
        flag = session.scalars(select(RiskFlag).where(RiskFlag.kind == "under_pressure")).one()
        assert flag.evidence == [
            {
                "date": "2026-09-01",
                "text": 'survey 2026-09: answered "under pressure"',
                "source": "survey.csv:4",
            }
        ]
    # evaluating again (say, after the next punch) keeps it red and raises nothing new
    with factory.begin() as session:
        again = evaluate_risk(session, AS_OF, config=CONFIG, clock=clock)
        assert again.alerts == ()
        assert session.scalar(select(func.count()).select_from(RiskAlert)) == 1
        assert session.scalar(select(func.count()).select_from(RiskFlag)) == 2


def test_an_alert_is_delivered_and_acknowledged_with_an_audited_note(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as session:
        add_days(session, "E1", long_weeks(date(2026, 8, 31), 3))
        add_days(session, "E1", [(date(2026, 9, 19), 690, 690)])  # Saturday 11.5 h: 36 h + 11.5
        evaluate_risk(session, AS_OF, config=CONFIG, clock=clock)
    with factory.begin() as session:
        (alert,) = list_alerts(session, undelivered_below=5)
        assert (alert.employee, alert.level, alert.reason) == (
            "E1",
            RiskLevel.RED,
            "red: long weeks + 1 more signal",
        )
        assert [f["kind"] for f in alert.flags] == ["long_weeks", "monthly_overtime"]
        record_delivery(session, alert.id, at=NOW, error="HTTP 503")
        record_delivery(session, alert.id, at=NOW + timedelta(seconds=30))
    with factory.begin() as session:
        assert list_alerts(session, undelivered_below=5) == []
        acked = acknowledge_alert(
            session, alert.id, actor="cli:hr", note="talked to E1; overtime stopped", at=NOW
        )
        assert (acked.attempts, acked.last_error, acked.acknowledged_by) == (2, None, "cli:hr")
        with pytest.raises(InvalidData, match="was acknowledged by cli:hr"):
            acknowledge_alert(session, alert.id, actor="x", note="again", at=NOW)
    with factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "acknowledge")).one()
        assert (entry.entity, entry.entity_id, entry.detail) == (
            "risk_alert",
            str(alert.id),
            {"employee": "E1", "note": "talked to E1; overtime stopped"},
        )
        assert list_alerts(session, open_only=True) == []


def test_the_forecast_reads_the_published_roster(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        # 30 h overtime up to 20 Sep: 10 days of 3 h
        add_days(session, "E1", [(date(2026, 9, d), 660, 180) for d in range(1, 11)])
        shift = session.scalars(select(ShiftType)).one()
        emp = employee_id_of(session, "E1")
        for status, days in ((RosterStatus.PUBLISHED, (21, 22, 23)), (RosterStatus.DRAFT, (24,))):
            run = RosterRun(
                site_id=shift.site_id,
                date_from=date(2026, 9, 21),
                date_to=date(2026, 9, 30),
                status=status,
                created_at=NOW,
                published_at=NOW if status is RosterStatus.PUBLISHED else None,
            )
            session.add(run)
            session.flush()
            session.add_all(
                RosterAssignment(
                    roster_run_id=run.id,
                    employee_id=emp,
                    date=date(2026, 9, d),
                    shift_type_id=shift.id,
                )
                for d in days
            )
    with factory.begin() as session:
        result = evaluate_risk(session, AS_OF, config=CONFIG, clock=clock)
        e1 = next(a for a in result.assessments if a.employee == "E1")
        flag = e1.flag(RiskKind.OVERTIME_FORECAST)
        assert flag is not None
        # 11 h shifts (12 h minus a 1 h break) on workdays: 3 h overtime each, 3 published
        assert flag.summary == (
            "2026-09: forecast 39.0 h overtime (30.0 h worked + 9.0 h rostered), "
            "above the cap of 36.0 h"
        )
        assert [str(e) for e in flag.evidence[1:]] == [
            f"2026-09-{d}: planned 11.0 h shift, 3.0 h overtime [roster run 1]"
            for d in (21, 22, 23)
        ]
