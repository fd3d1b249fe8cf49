"""Overtime policies against the worked examples of research/hrcore.md section 2."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hrcore.attendance.errors import UnknownPolicy
from hrcore.attendance.model import DayKind, DayResult, DayStatus, ShiftRule
from hrcore.attendance.overtime import (
    Compensation,
    DayOvertime,
    OvertimeCategory,
    load_policy,
    policy_codes,
)
from hrcore.attendance.overtime.policies.cn import CnPolicy, CnRules
from hrcore.models.enums import WorkingHoursSystem

TZ = ZoneInfo("Asia/Shanghai")
DAY = ShiftRule("D", time(9), time(17))
H = 60


def worked_day(
    day: date,
    minutes: int,
    *,
    rostered: bool = True,
    after_end: int = 0,
    kind: DayKind | None = None,
) -> DayResult:
    cal = load_policy("cn").calendar
    return DayResult(
        employee="E1",
        date=day,
        kind=kind or cal.kind(day),
        status=DayStatus.PRESENT if rostered else DayStatus.UNROSTERED_WORK,
        shift=DAY.on(day, TZ) if rostered else None,
        worked_minutes=minutes,
        after_end_minutes=after_end,
    )


def test_policies_are_discovered_by_code() -> None:
    assert policy_codes() == ("cn", "us-ca", "us-flsa")
    with pytest.raises(UnknownPolicy, match="known policies: cn, us-ca, us-flsa"):
        load_policy("fr")


def test_cn_standard_week_from_the_worked_example() -> None:
    # Mon-Fri 29 Sep - 3 Oct 2025 would include the holiday; use 22-26 Sep 2025 (Mon-Fri),
    # Saturday 27 Sep rest day, and the statutory 1 Oct.
    week = [
        worked_day(date(2025, 9, 22) + timedelta(days=i), 10 * H, after_end=2 * H) for i in range(5)
    ]
    week.append(worked_day(date(2025, 9, 27), 8 * H, rostered=False))
    week.append(worked_day(date(2025, 10, 1), 4 * H, rostered=False))
    report = load_policy("cn").evaluate("E1", week)
    assert report.minutes_at(Decimal("1.5")) == 10 * H
    assert report.minutes_at(Decimal("2.0")) == 8 * H
    assert report.minutes_at(Decimal("3.0")) == 4 * H
    assert report.overtime_pay(Decimal("50.00")) == Decimal("2150.00")  # 750 + 800 + 600
    assert report.on(date(2025, 10, 1)) == DayOvertime(holiday=240)
    assert report.breaches == ()


def test_cn_sunday_28_sep_2025_was_a_working_day() -> None:
    sunday = worked_day(date(2025, 9, 28), 9 * H, after_end=H)
    assert sunday.kind is DayKind.WORKDAY
    report = load_policy("cn").evaluate("E1", [sunday])
    assert report.on(date(2025, 9, 28)) == DayOvertime(workday=60)


def test_cn_national_day_2025_statutory_300_bridging_200() -> None:
    period = [worked_day(date(2025, 10, d), 8 * H, rostered=False) for d in range(1, 9)]
    report = load_policy("cn").evaluate("E1", period)
    holiday = [line.date.day for line in report.lines if line.category is OvertimeCategory.HOLIDAY]
    restday = [line.date.day for line in report.lines if line.category is OvertimeCategory.RESTDAY]
    assert holiday == [1, 2, 3, 6]
    assert restday == [4, 5, 7, 8]
    assert {line.multiplier for line in report.lines if line.date.day in (4, 5, 7, 8)} == {
        Decimal("2.0")
    }
    # a rostered shift on a statutory day: still every minute at 300 %
    rostered = worked_day(date(2025, 10, 6), 8 * H, after_end=0)
    assert load_policy("cn").evaluate("E1", [rostered]).on(date(2025, 10, 6)) == DayOvertime(
        holiday=480
    )
    # 64 h of overtime in October breaks the 36 h monthly cap
    assert [(b.date, b.actual_minutes) for b in report.breaches] == [(date(2025, 10, 1), 64 * H)]


def test_cn_rest_day_as_compensatory_leave() -> None:
    policy = CnPolicy(CnRules(restday_compensation=Compensation.LEAVE))
    report = policy.evaluate("E1", [worked_day(date(2025, 9, 27), 8 * H, rostered=False)])
    assert report.compensatory_leave_minutes == 480
    assert report.overtime_pay(Decimal("50")) == Decimal("0.00")


def test_cn_daily_cap_breach() -> None:
    report = load_policy("cn").evaluate(
        "E1", [worked_day(date(2025, 9, 22), 12 * H, after_end=4 * H)]
    )
    assert [(b.date, b.limit_minutes, b.actual_minutes) for b in report.breaches] == [
        (date(2025, 9, 22), 180, 240)
    ]


def test_cn_comprehensive_month_from_the_worked_example() -> None:
    # September 2025 has 23 official working days (22 weekdays + Sunday 28 Sep): 184 h.
    # 16 shifts of 12 h (Sep 1, 3, ..., 29 and 30) = 192 h, plus 12 h on the statutory 1 Oct.
    days = [date(2025, 9, 1) + timedelta(days=2 * i) for i in range(15)] + [date(2025, 9, 30)]
    shifts = [worked_day(d, 12 * H) for d in days] + [worked_day(date(2025, 10, 1), 12 * H)]
    report = load_policy("cn").evaluate("E1", shifts, WorkingHoursSystem.COMPREHENSIVE)
    assert report.minutes_at(Decimal("1.5")) == (192 - 184) * H
    assert report.minutes_at(Decimal("2.0")) == 0  # rest days inside the cycle are not 200 %
    # the excess falls on the day the running total crosses 184 h; the holiday is paid apart
    assert [(li.date, li.minutes, li.multiplier) for li in report.lines] == [
        (date(2025, 9, 30), 8 * H, Decimal("1.5")),
        (date(2025, 10, 1), 12 * H, Decimal("3.0")),
    ]


def test_cn_comprehensive_holiday_paid_apart() -> None:
    shifts = [worked_day(date(2025, 10, 1), 12 * H)]
    report = load_policy("cn").evaluate("E1", shifts, WorkingHoursSystem.COMPREHENSIVE)
    assert [(li.category, li.minutes, li.multiplier) for li in report.lines] == [
        (OvertimeCategory.HOLIDAY, 720, Decimal("3.0"))
    ]


def test_cn_flexible_system_has_no_overtime_unless_local_rule() -> None:
    days = [
        worked_day(date(2025, 9, 22), 12 * H, after_end=4 * H),
        worked_day(date(2025, 10, 1), 8 * H, rostered=False),
    ]
    assert load_policy("cn").evaluate("E1", days, WorkingHoursSystem.FLEXIBLE).lines == ()
    shanghai = CnPolicy(CnRules(flexible_holiday_premium=True))
    lines = shanghai.evaluate("E1", days, WorkingHoursSystem.FLEXIBLE).lines
    assert [(li.date, li.minutes) for li in lines] == [(date(2025, 10, 1), 480)]


def us_week(hours: Sequence[float], start: date = date(2025, 3, 2)) -> list[DayResult]:
    """Days from Sunday ``start``; 0 h means not worked."""
    return [
        DayResult(
            "E1",
            start + timedelta(days=i),
            DayKind.WORKDAY,
            DayStatus.PRESENT,
            DAY.on(start + timedelta(days=i), TZ),
            worked_minutes=int(h * H),
        )
        for i, h in enumerate(hours)
    ]


def test_flsa_week_over_40_hours() -> None:
    report = load_policy("us-flsa").evaluate("E1", us_week([0, 9, 9, 9, 9, 9, 0]))
    assert report.minutes_at(Decimal("1.5")) == 5 * H
    assert report.gross_pay(Decimal("20")) == Decimal("950.00")
    # no daily overtime, weeks not averaged
    two_weeks = us_week([0, 12, 12, 12, 0, 0, 0]) + us_week(
        [0, 10, 10, 10, 10, 10, 0], date(2025, 3, 9)
    )
    report2 = load_policy("us-flsa").evaluate("E1", two_weeks)
    assert [(li.date, li.minutes) for li in report2.lines] == [(date(2025, 3, 14), 10 * H)]


def test_california_daily_and_weekly() -> None:
    report = load_policy("us-ca").evaluate("E1", us_week([0, 10, 13, 8, 8, 8, 0]))
    assert report.minutes_at(Decimal("1.5")) == 6 * H
    assert report.minutes_at(Decimal("2.0")) == 1 * H
    assert report.gross_pay(Decimal("20")) == Decimal("1020.00")
    flsa = load_policy("us-flsa").evaluate("E1", us_week([0, 10, 13, 8, 8, 8, 0]))
    assert flsa.gross_pay(Decimal("20")) == Decimal("1010.00")


def test_california_seventh_consecutive_day() -> None:
    report = load_policy("us-ca").evaluate("E1", us_week([8] * 7))
    by_day = [(li.date.weekday(), li.minutes, li.multiplier, li.rule) for li in report.lines]
    assert by_day == [
        (4, 480, Decimal("1.5"), "weekly: regular hours over 40 in the workweek"),
        (5, 480, Decimal("1.5"), "seventh consecutive day: first 8 h"),
    ]
    assert report.gross_pay(Decimal("20")) == Decimal("40") * 20 + Decimal("16") * 30
    longer = load_policy("us-ca").evaluate("E1", us_week([8] * 6 + [10]))
    assert [(li.minutes, li.multiplier) for li in longer.lines if li.date.weekday() == 5] == [
        (480, Decimal("1.5")),
        (120, Decimal("2.0")),
    ]


def test_a_new_country_is_one_new_module(tmp_path, monkeypatch) -> None:
    from hrcore.attendance.overtime import policies

    (tmp_path / "xx_test.py").write_text(
        "from hrcore.attendance.overtime.policies.us_flsa import FlsaPolicy, FlsaRules\n"
        "POLICY_CODE = 'xx-test'\n"
        "def build():\n"
        "    return FlsaPolicy(FlsaRules(weekly_limit_minutes=35 * 60), code=POLICY_CODE)\n"
    )
    monkeypatch.setattr(policies, "__path__", [*policies.__path__, str(tmp_path)])
    assert "xx-test" in policy_codes()
    report = load_policy("xx-test").evaluate("E1", us_week([0, 8, 8, 8, 8, 8, 0]))
    assert report.policy == "xx-test"
    assert report.minutes_at(Decimal("1.5")) == 5 * H


def test_no_country_policy_imports_another_country() -> None:
    from hrcore.attendance.overtime import policies

    folder = Path(policies.__file__).parent
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert {"cn", "us_flsa", "us_ca"} <= modules
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        } | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        others = {m for m in imported if m.startswith(f"{policies.__name__}.")}
        assert others == set(), f"{path.name} imports {sorted(others)}"


def test_workweek_helpers_and_policy_context() -> None:
    from hrcore.attendance.overtime.weekly import week_start, whole_weeks

    wednesday = date(2025, 9, 24)
    assert week_start(wednesday, 6) == date(2025, 9, 21)  # Sunday
    assert week_start(wednesday, 0) == date(2025, 9, 22)  # Monday
    assert week_start(date(2025, 9, 21), 6) == date(2025, 9, 21)
    assert whole_weeks(wednesday, date(2025, 10, 2), 6) == (date(2025, 9, 21), date(2025, 10, 4))
    with pytest.raises(ValueError, match=r"0 \(Monday\)\.\.6 \(Sunday\)"):
        week_start(wednesday, 7)
    for code in ("us-flsa", "us-ca"):
        policy = load_policy(code)
        assert policy.context(wednesday, wednesday) == (date(2025, 9, 21), date(2025, 9, 27))
        assert policy.calendar.kind(wednesday) is DayKind.WORKDAY
        assert policy.calendar.kind(date(2025, 9, 27)) is not DayKind.WORKDAY  # Saturday
