"""One scenario per risk signal and a combined red case, each asserting the evidence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hrcore.enums import LeaveKind
from hrcore.risk.assess import assess, explain
from hrcore.risk.config import RiskConfigInvalid, load_risk_config, risk_config_from_dict
from hrcore.risk.model import (
    LeaveSpan,
    PeriodScore,
    PlannedShift,
    RiskConfig,
    RiskInput,
    RiskKind,
    RiskLevel,
    RiskThresholds,
    SurveyAnswer,
    WorkedDay,
)

ROOT = Path(__file__).resolve().parents[3]
AS_OF = date(2026, 9, 20)  # a Sunday
H = 60


def day(d: date, hours: float, overtime: float = 0, *, rest: bool = False) -> WorkedDay:
    return WorkedDay(d, int(hours * H), int(overtime * H), rest, f"attendance {d}")


def weeks(first_monday: date, n: int, hours_per_day: float, days: int = 5) -> list[WorkedDay]:
    out = []
    for w in range(n):
        for i in range(days):
            out.append(day(first_monday + timedelta(weeks=w, days=i), hours_per_day))
    return out


def only(inp: RiskInput) -> set[RiskKind]:
    return {f.kind for f in assess(inp, AS_OF).flags}


def evidence(inp: RiskInput, kind: RiskKind) -> list[str]:
    flag = assess(inp, AS_OF).flag(kind)
    assert flag is not None, f"{kind} not raised"
    return [str(e) for e in flag.evidence]


def test_long_weeks_three_in_a_row_above_50() -> None:
    # 5 x 10.5 h = 52.5 h in the weeks of 31 Aug, 7 Sep and 14 Sep
    inp = RiskInput("E1", days=tuple(weeks(date(2026, 8, 31), 3, 10.5)))
    assert only(inp) == {RiskKind.LONG_WEEKS}
    assert evidence(inp, RiskKind.LONG_WEEKS) == [
        "2026-09-06: week 2026-W36 (31 Aug-06 Sep): 52.5 h worked, above 50 h "
        "[attendance 2026-08-31..2026-09-06]",
        "2026-09-13: week 2026-W37 (07 Sep-13 Sep): 52.5 h worked, above 50 h "
        "[attendance 2026-09-07..2026-09-13]",
        "2026-09-20: week 2026-W38 (14 Sep-20 Sep): 52.5 h worked, above 50 h "
        "[attendance 2026-09-14..2026-09-20]",
    ]


def test_exactly_50_hours_or_a_gap_week_is_no_run() -> None:
    fifty = RiskInput("E1", days=tuple(weeks(date(2026, 8, 31), 3, 10)))
    assert only(fifty) == set()
    days = weeks(date(2026, 8, 24), 2, 10.5) + weeks(date(2026, 9, 14), 1, 10.5)
    assert only(RiskInput("E1", days=tuple(days))) == set()


def test_monthly_overtime_above_the_cap() -> None:
    # 13 days with 3 h overtime = 39 h in September (cap 36 h)
    days = tuple(
        day(date(2026, 9, d), 11, 3) for d in range(1, 20) if date(2026, 9, d).weekday() < 5
    )
    inp = RiskInput("E1", days=days[:13])
    flag = assess(inp, AS_OF).flag(RiskKind.MONTHLY_OVERTIME)
    assert flag is not None
    assert flag.summary == "2026-09: 39.0 h overtime, above the cap of 36.0 h"
    assert str(flag.evidence[0]) == (
        "2026-09-01: 3.0 h overtime (11.0 h worked) [attendance 2026-09-01]"
    )
    assert len(flag.evidence) == 13
    # an employee's own cap wins over the default
    own = RiskInput("E1", days=days[:13], monthly_overtime_cap_minutes=40 * H)
    assert RiskKind.MONTHLY_OVERTIME not in only(own)


def test_overtime_forecast_from_the_published_roster() -> None:
    # 30 h overtime by 20 Sep; the published roster plans 4 more 10-h shifts (2 h OT each)
    worked = tuple(day(date(2026, 9, d), 11, 3) for d in range(1, 11))
    planned = (
        *(PlannedShift(date(2026, 9, d), 10 * H, 2 * H, "roster run 7") for d in (22, 23, 24, 25)),
        PlannedShift(date(2026, 10, 1), 12 * H, 4 * H, "roster run 8"),
    )
    inp = RiskInput("E1", days=worked, planned=planned)
    flag = assess(inp, AS_OF).flag(RiskKind.OVERTIME_FORECAST)
    assert flag is not None
    assert flag.summary == (
        "2026-09: forecast 38.0 h overtime (30.0 h worked + 8.0 h rostered), "
        "above the cap of 36.0 h"
    )
    assert [str(e) for e in flag.evidence] == [
        "2026-09-20: 30.0 h overtime worked in 2026-09 up to 2026-09-20 "
        "[attendance 2026-09-01..2026-09-20]",
        "2026-09-22: planned 10.0 h shift, 2.0 h overtime [roster run 7]",
        "2026-09-23: planned 10.0 h shift, 2.0 h overtime [roster run 7]",
        "2026-09-24: planned 10.0 h shift, 2.0 h overtime [roster run 7]",
        "2026-09-25: planned 10.0 h shift, 2.0 h overtime [roster run 7]",
    ]
    # three planned shifts keep it at 36 h: not above the cap
    under = RiskInput("E1", days=worked, planned=planned[:3])
    assert RiskKind.OVERTIME_FORECAST not in only(under)


def test_long_days_over_11_hours() -> None:
    inp = RiskInput(
        "E1",
        days=(
            day(date(2026, 8, 20), 12),  # outside the 28 days
            day(date(2026, 9, 2), 11.5),
            day(date(2026, 9, 3), 11),  # exactly 11 h is not over
            day(date(2026, 9, 15), 12.25),
        ),
    )
    assert only(inp) == {RiskKind.LONG_DAYS}
    assert evidence(inp, RiskKind.LONG_DAYS) == [
        "2026-09-02: 11.5 h worked [attendance 2026-09-02]",
        "2026-09-15: 12.3 h worked [attendance 2026-09-15]",
    ]


def test_rest_day_work_streak() -> None:
    # Mon 7 Sep .. Tue 15 Sep: 9 days in a row, through the weekend
    days = tuple(
        day(
            date(2026, 9, 7) + timedelta(days=i),
            8,
            rest=(date(2026, 9, 7) + timedelta(days=i)).weekday() >= 5,
        )
        for i in range(9)
    )
    inp = RiskInput("E1", days=days)
    assert only(inp) == {RiskKind.NO_REST_STREAK}
    assert evidence(inp, RiskKind.NO_REST_STREAK) == [
        "2026-09-15: worked 9 days in a row, 2026-09-07..2026-09-15 "
        "[attendance 2026-09-07..2026-09-15]",
        "2026-09-12: rest day worked, 8.0 h [attendance 2026-09-12]",
        "2026-09-13: rest day worked, 8.0 h [attendance 2026-09-13]",
    ]
    six = RiskInput("E1", days=days[:6])
    assert only(six) == set()


def test_leave_above_3_days_in_a_month() -> None:
    inp = RiskInput(
        "E1",
        leave=(
            LeaveSpan(LeaveKind.SICK, date(2026, 9, 7), date(2026, 9, 8), "leave.csv:2"),
            LeaveSpan(LeaveKind.PERSONAL, date(2026, 9, 14), date(2026, 9, 15), "leave.csv:3"),
            LeaveSpan(LeaveKind.ANNUAL, date(2026, 7, 1), date(2026, 7, 10), "leave.csv:4"),
        ),
    )
    assert only(inp) == {RiskKind.LEAVE}
    flag = assess(inp, AS_OF).flag(RiskKind.LEAVE)
    assert flag is not None and flag.summary == "2026-09: 4 days of leave, above 3"
    assert [str(e) for e in flag.evidence] == [
        "2026-09-07: sick leave 2026-09-07..2026-09-08 (2 days in 2026-09) [leave.csv:2]",
        "2026-09-14: personal leave 2026-09-14..2026-09-15 (2 days in 2026-09) [leave.csv:3]",
    ]
    exactly_three = RiskInput(
        "E1",
        leave=(inp.leave[0], LeaveSpan(LeaveKind.SICK, date(2026, 9, 30), date(2026, 10, 5))),
    )
    assert only(exactly_three) == set()  # 2 + 1 days in September, 5 in October (future)


def test_score_falling_two_periods_in_a_row() -> None:
    scores = (
        PeriodScore("2026-06", Decimal("9.0"), "kpis.csv"),
        PeriodScore("2026-07", Decimal("8.4"), "kpis.csv"),
        PeriodScore("2026-08", Decimal("7.9"), "kpis.csv"),
        PeriodScore("2026-09", Decimal("7.1"), "kpis.csv"),
    )
    inp = RiskInput("E1", scores=scores)
    flag = assess(inp, AS_OF).flag(RiskKind.SCORE_DECLINE)
    assert flag is not None
    assert (
        flag.summary == "score fell 2 periods in a row: 2026-07 8.4 -> 2026-08 7.9 -> 2026-09 7.1"
    )
    assert [str(e) for e in flag.evidence] == [
        "2026-07-01: scorecard 8.4 points [kpis.csv]",
        "2026-08-01: scorecard 7.9 points [kpis.csv]",
        "2026-09-01: scorecard 7.1 points [kpis.csv]",
    ]
    level = (*scores[:2], PeriodScore("2026-08", Decimal("8.4")), scores[3])
    assert only(RiskInput("E1", scores=level)) == set()  # equal is not a drop


def test_survey_under_pressure() -> None:
    inp = RiskInput(
        "E1",
        surveys=(
            SurveyAnswer("2026-08", "survey.xlsx:5", Decimal(4), False),
            SurveyAnswer("2026-09", "survey.xlsx:9", Decimal(2), True),
        ),
    )
    assert evidence(inp, RiskKind.UNDER_PRESSURE) == [
        '2026-09-01: survey 2026-09: answered "under pressure", wellbeing 2 (at most 2) '
        "[survey.xlsx:9]"
    ]
    better = RiskInput("E1", surveys=(SurveyAnswer("2026-09", "s", Decimal(4), False),))
    assert only(better) == set()


def test_sustained_hours_plus_one_more_signal_is_red() -> None:
    inp = RiskInput(
        "E1",
        days=tuple(weeks(date(2026, 8, 31), 3, 10.5)),
        surveys=(SurveyAnswer("2026-09", "survey.xlsx:9", under_pressure=True),),
    )
    result = assess(inp, AS_OF)
    assert result.level is RiskLevel.RED
    assert result.reason == "red: long weeks + 1 more signal"
    lines = explain(result)
    assert lines[0] == "E1: RED as of 2026-09-20 (red: long weeks + 1 more signal)"
    assert "  long_weeks: 3 weeks in a row above 50 h" in lines
    assert '    2026-09-01: survey 2026-09: answered "under pressure" [survey.xlsx:9]' in lines
    # either signal alone is amber
    alone = RiskInput("E1", days=inp.days)
    assert assess(alone, AS_OF).level is RiskLevel.AMBER
    assert assess(RiskInput("E1"), AS_OF).level is RiskLevel.GREEN


def test_every_threshold_and_the_combination_come_from_config() -> None:
    config = load_risk_config(ROOT / "config/risk.yaml")
    assert config == RiskConfig()  # the example file spells out the defaults
    strict = risk_config_from_dict(
        {
            "thresholds": {"long_week_hours": 45},
            "combine": {"red": [{"requires": ["long_weeks"]}], "amber": []},
        }
    )
    assert strict.thresholds == RiskThresholds(long_week_hours=Decimal(45))
    inp = RiskInput("E1", days=tuple(weeks(date(2026, 8, 31), 3, 9.5)))  # 47.5 h weeks
    assert assess(inp, AS_OF).level is RiskLevel.GREEN
    assert assess(inp, AS_OF, strict).level is RiskLevel.RED
    with pytest.raises(RiskConfigInvalid, match=r"combine.red.0.requires.0"):
        risk_config_from_dict({"combine": {"red": [{"requires": ["tired"]}]}})
    with pytest.raises(RiskConfigInvalid, match=r"thresholds.long_week_hourz"):
        risk_config_from_dict({"thresholds": {"long_week_hourz": 1}})
