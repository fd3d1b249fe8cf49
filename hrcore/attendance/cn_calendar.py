"""China's statutory festival days, derived, and the official calendar around them.

``chinese-calendar`` knows which days are off and which weekends are adjusted working days, but
it marks a whole holiday period (e.g. 1-8 Oct 2025) as holiday. Labour Law art. 44 pays 300 %
only for the statutory days themselves (全国年节及纪念日放假办法): 1 Jan; Spring Festival
(since 2025 eve and lunar days 1-3; 2014-2024 days 1-3; 2008-2013 eve and days 1-2);
Qingming day; 1 May (and 2 May since 2025); Dragon Boat (lunar 5/5); Mid-Autumn (lunar 8/15);
1-3 Oct. The other days off of a period are moved rest days (200 %). Lunar dates come from
``lunardate``; Qingming is the day (Beijing time) on which the sun's apparent ecliptic
longitude reaches 15 degrees, computed here astronomically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
from lunardate import LunarDate

from hrcore.attendance.errors import CalendarNotCovered
from hrcore.attendance.model import DayKind

BEIJING = timezone(timedelta(hours=8))
_J2000 = 2451545.0
_UNIX_EPOCH_JD = 2440587.5
#: TT - UTC in seconds, close enough for this century (solar terms move ~1 degree a day).
_DELTA_T_S = 69.0


@dataclass(frozen=True, slots=True)
class StatutoryDay:
    date: date
    festival: str


def sun_apparent_longitude(jde: float) -> float:
    """Apparent geometric longitude of the sun in degrees (Meeus, Astronomical Algorithms ch. 25,
    low-accuracy series: about 0.01 degree, i.e. a quarter of an hour of solar-term time)."""
    t = (jde - _J2000) / 36525.0
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = math.radians(357.52911 + 35999.05029 * t - 0.0001537 * t * t)
    c = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(m)
        + (0.019993 - 0.000101 * t) * math.sin(2 * m)
        + 0.000289 * math.sin(3 * m)
    )
    omega = math.radians(125.04 - 1934.136 * t)
    return (l0 + c - 0.00569 - 0.00478 * math.sin(omega)) % 360.0


def _jde(at: datetime) -> float:
    return at.timestamp() / 86400.0 + _UNIX_EPOCH_JD + _DELTA_T_S / 86400.0


def _from_jde(jde: float) -> datetime:
    return datetime.fromtimestamp((jde - _UNIX_EPOCH_JD - _DELTA_T_S / 86400.0) * 86400.0, tz=UTC)


def solar_term_instant(year: int, longitude: float, near: date) -> datetime:
    """The instant (UTC) the sun reaches ``longitude`` degrees, within 10 days of ``near``."""
    lo = _jde(datetime(near.year, near.month, near.day, tzinfo=UTC) - timedelta(days=10))
    hi = lo + 20.0

    def gap(jde: float) -> float:
        return (sun_apparent_longitude(jde) - longitude + 180.0) % 360.0 - 180.0

    if not gap(lo) < 0 < gap(hi):
        raise ValueError(f"no solar longitude {longitude} near {near} in {year}")
    for _ in range(60):  # bisection to well under a second
        mid = (lo + hi) / 2
        if gap(mid) < 0:
            lo = mid
        else:
            hi = mid
    return _from_jde((lo + hi) / 2)


def qingming(year: int) -> date:
    """Qingming (清明): the Beijing-time date the sun's apparent longitude reaches 15 degrees."""
    return solar_term_instant(year, 15.0, date(year, 4, 5)).astimezone(BEIJING).date()


def _lunar(year: int, month: int, day: int) -> date:
    try:
        solar: date = LunarDate(year, month, day).to_solar_date()
    except ValueError as exc:
        raise CalendarNotCovered(
            f"lunar date {year}-{month}-{day} is outside lunardate's range"
        ) from exc
    return solar


def statutory_days(year: int) -> tuple[StatutoryDay, ...]:
    """The statutory festival days (300 % days) of ``year``: 11 before 2025, 13 since."""
    if year < 2008:
        raise CalendarNotCovered(
            f"statutory days before 2008 followed older rules; year {year} is not supported"
        )
    days = [StatutoryDay(date(year, 1, 1), "New Year's Day")]
    new_year = _lunar(year, 1, 1)
    eve = new_year - timedelta(days=1)
    if year >= 2025:  # State Council decision of 12 Nov 2024: eve + lunar days 1-3
        spring = [eve] + [new_year + timedelta(days=i) for i in range(3)]
    elif year >= 2014:  # 2013 revision: lunar days 1-3
        spring = [new_year + timedelta(days=i) for i in range(3)]
    else:  # 2007 revision: eve + lunar days 1-2
        spring = [eve, new_year, new_year + timedelta(days=1)]
    days += [StatutoryDay(d, "Spring Festival") for d in spring]
    days.append(StatutoryDay(qingming(year), "Tomb-sweeping Day"))
    days.append(StatutoryDay(date(year, 5, 1), "Labour Day"))
    if year >= 2025:
        days.append(StatutoryDay(date(year, 5, 2), "Labour Day"))
    days.append(StatutoryDay(_lunar(year, 5, 5), "Dragon Boat Festival"))
    days.append(StatutoryDay(_lunar(year, 8, 15), "Mid-autumn Festival"))
    days += [StatutoryDay(date(year, 10, d), "National Day") for d in (1, 2, 3)]
    return tuple(sorted(days, key=lambda s: s.date))


@dataclass(slots=True)
class CnCalendar:
    """Day kinds for China: statutory days derived, the rest from ``chinese-calendar``.

    Holds a per-instance memo (no module state); build one per computation.
    """

    _statutory: dict[int, dict[date, str]] = field(default_factory=dict)
    _kinds: dict[date, DayKind] = field(default_factory=dict)

    def statutory_name(self, day: date) -> str | None:
        year = self._statutory.get(day.year)
        if year is None:
            year = {s.date: s.festival for s in statutory_days(day.year)}
            self._statutory[day.year] = year
        return year.get(day)

    def kind(self, day: date) -> DayKind:
        known = self._kinds.get(day)
        if known is not None:
            return known
        if self.statutory_name(day) is not None:
            result = DayKind.STATUTORY_HOLIDAY
        else:
            try:
                workday = chinese_calendar.is_workday(day)
            except NotImplementedError as exc:
                raise CalendarNotCovered(
                    f"chinese-calendar has no official schedule for {day.year}; upgrade the "
                    "chinesecalendar package (it is updated each December)"
                ) from exc
            if workday:
                result = DayKind.WORKDAY
            elif chinese_calendar.get_holiday_detail(day)[1] is not None:
                result = DayKind.PUBLIC_HOLIDAY
            else:
                result = DayKind.RESTDAY
        self._kinds[day] = result
        return result


@dataclass(frozen=True, slots=True)
class OfficialWorkingDays:
    """The official working days of a date range: the one source of a CN month's regular
    hours (working days x 8 h) for the payroll's overtime and the roster's hour limits alike.

    ``assumed_years`` are the years ``chinese-calendar`` has no schedule for yet; their
    working days follow the Mon-Fri rule (no holidays, no adjusted weekends) until the package
    is updated, and every user of this value should say so.
    """

    first: date
    last: date
    days: frozenset[date]
    assumed_years: tuple[int, ...]

    def count(self, first: date | None = None, last: date | None = None) -> int:
        lo, hi = first or self.first, last or self.last
        return sum(1 for d in self.days if lo <= d <= hi)


def official_working_days(
    first: date, last: date, calendar: CnCalendar | None = None
) -> OfficialWorkingDays:
    """Working days of ``first..last``: ``chinese-calendar``'s (adjusted weekends count,
    holiday periods do not), Mon-Fri for the years it does not cover yet."""
    if last < first:
        raise ValueError(f"range {first}..{last} ends before it starts")
    cal = calendar or CnCalendar()
    covered = {year: _schedule_published(year) for year in range(first.year, last.year + 1)}
    days: set[date] = set()
    day = first
    while day <= last:
        if covered[day.year] and cal.kind(day) is DayKind.WORKDAY:
            days.add(day)
        elif not covered[day.year] and day.weekday() < 5:
            days.add(day)
        day += timedelta(days=1)
    assumed = tuple(year for year, known in covered.items() if not known)
    return OfficialWorkingDays(first, last, frozenset(days), assumed)


def _schedule_published(year: int) -> bool:
    """Whether ``chinese-calendar`` holds the State Council's schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True
