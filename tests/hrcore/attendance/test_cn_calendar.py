"""Statutory days derived from the lunar calendar and the sun, checked against the official
holiday notices (国务院办公厅 notices for 2025 and 2026) and chinese-calendar."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from hrcore.attendance.cn_calendar import CnCalendar, qingming, statutory_days
from hrcore.attendance.errors import CalendarNotCovered
from hrcore.attendance.model import DayKind

# State Council General Office notice on the 2025 holidays (国办发明电 2024 No. 12),
# with the 13 statutory days of the 2024 amendment
STATUTORY_2025 = [
    date(2025, 1, 1),
    date(2025, 1, 28),
    date(2025, 1, 29),
    date(2025, 1, 30),
    date(2025, 1, 31),
    date(2025, 4, 4),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 5, 31),
    date(2025, 10, 1),
    date(2025, 10, 2),
    date(2025, 10, 3),
    date(2025, 10, 6),  # Mid-Autumn inside the National Day period
]
STATUTORY_2026 = [
    date(2026, 1, 1),
    date(2026, 2, 16),
    date(2026, 2, 17),
    date(2026, 2, 18),
    date(2026, 2, 19),
    date(2026, 4, 5),
    date(2026, 5, 1),
    date(2026, 5, 2),
    date(2026, 6, 19),
    date(2026, 9, 25),
    date(2026, 10, 1),
    date(2026, 10, 2),
    date(2026, 10, 3),
]
# Periods and adjusted working days of the notices
PERIODS_2025 = {
    "New Year": (date(2025, 1, 1), date(2025, 1, 1)),
    "Spring": (date(2025, 1, 28), date(2025, 2, 4)),
    "Qingming": (date(2025, 4, 4), date(2025, 4, 6)),
    "Labour": (date(2025, 5, 1), date(2025, 5, 5)),
    "Dragon Boat": (date(2025, 5, 31), date(2025, 6, 2)),
    "National Day": (date(2025, 10, 1), date(2025, 10, 8)),
}
ADJUSTED_WORKDAYS_2025 = [
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
]
PERIODS_2026 = {
    "New Year": (date(2026, 1, 1), date(2026, 1, 3)),
    "Spring": (date(2026, 2, 15), date(2026, 2, 23)),
    "Qingming": (date(2026, 4, 4), date(2026, 4, 6)),
    "Labour": (date(2026, 5, 1), date(2026, 5, 5)),
    "Dragon Boat": (date(2026, 6, 19), date(2026, 6, 21)),
    "Mid-Autumn": (date(2026, 9, 25), date(2026, 9, 27)),
    "National Day": (date(2026, 10, 1), date(2026, 10, 7)),
}
ADJUSTED_WORKDAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.parametrize(
    ("year", "expected", "periods", "adjusted"),
    [
        (2025, STATUTORY_2025, PERIODS_2025, ADJUSTED_WORKDAYS_2025),
        (2026, STATUTORY_2026, PERIODS_2026, ADJUSTED_WORKDAYS_2026),
    ],
)
def test_statutory_days_match_the_official_notice(year, expected, periods, adjusted) -> None:
    derived = [s.date for s in statutory_days(year)]
    assert derived == expected
    assert len(derived) == 13
    cal = CnCalendar()
    period_days = {d for first, last in periods.values() for d in days(first, last)}
    for d in days(date(year, 1, 1), date(year, 12, 31)):
        kind = cal.kind(d)
        if d in expected:
            assert kind is DayKind.STATUTORY_HOLIDAY, d
        elif d in period_days:
            assert kind in (DayKind.PUBLIC_HOLIDAY, DayKind.RESTDAY), d
        elif d in adjusted:
            assert kind is DayKind.WORKDAY, d
        elif d.weekday() >= 5:
            assert kind is DayKind.RESTDAY, d
        else:
            assert kind is DayKind.WORKDAY, d
        # every derived statutory day is a day off in chinese-calendar's official tables
        if d in expected:
            assert chinese_calendar.is_holiday(d), d


def test_national_day_2025_statutory_versus_bridging_days() -> None:
    cal = CnCalendar()
    kinds = {d.day: cal.kind(d) for d in days(date(2025, 10, 1), date(2025, 10, 8))}
    assert [d for d, k in kinds.items() if k is DayKind.STATUTORY_HOLIDAY] == [1, 2, 3, 6]
    assert [d for d, k in kinds.items() if k is DayKind.PUBLIC_HOLIDAY] == [4, 5, 7, 8]
    assert cal.kind(date(2025, 9, 28)) is DayKind.WORKDAY  # Sunday, adjusted working day
    assert cal.kind(date(2025, 10, 11)) is DayKind.WORKDAY  # Saturday, adjusted working day
    assert cal.kind(date(2025, 10, 12)) is DayKind.RESTDAY


def test_eleven_statutory_days_before_2025() -> None:
    days_2024 = [s.date for s in statutory_days(2024)]
    assert len(days_2024) == 11
    assert date(2024, 2, 9) not in days_2024  # Spring Festival eve was not statutory
    assert [d for d in days_2024 if d.month == 2] == [
        date(2024, 2, 10),
        date(2024, 2, 11),
        date(2024, 2, 12),
    ]
    assert date(2024, 5, 2) not in days_2024


def test_qingming_from_the_sun_matches_the_published_solar_terms() -> None:
    assert qingming(2025) == date(2025, 4, 4)
    assert qingming(2026) == date(2026, 4, 5)
    for year in range(1950, 2100):
        published = [
            d
            for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
            if name == "清明"
        ]
        assert [qingming(year)] == published, year


def test_years_outside_the_official_tables_are_a_clear_error() -> None:
    with pytest.raises(CalendarNotCovered, match="upgrade the chinesecalendar package"):
        CnCalendar().kind(date(2099, 3, 3))


def test_official_working_days_of_october_2026_give_144_regular_hours() -> None:
    from hrcore.attendance.cn_calendar import official_working_days

    october = official_working_days(date(2026, 10, 1), date(2026, 10, 31))
    assert october.count() == 18
    assert october.count() * 8 == 144
    assert october.assumed_years == ()
    assert date(2026, 10, 7) not in october.days  # inside the National Day period
    assert date(2026, 10, 10) in october.days  # a Saturday made a working day
    assert october.count(date(2026, 10, 26), date(2026, 10, 31)) == 5


def test_a_year_the_calendar_does_not_cover_falls_back_to_monday_to_friday() -> None:
    from hrcore.attendance.cn_calendar import official_working_days

    january = official_working_days(date(2027, 1, 1), date(2027, 1, 31))
    assert january.assumed_years == (2027,)
    assert january.count() == 21  # Mon-Fri of January 2027, 1 Jan (a Friday) included
    assert all(d.weekday() < 5 for d in january.days)
