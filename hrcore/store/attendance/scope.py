"""Which sites an attendance call covers, and each site's zone, overtime policy and UTC span."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.attendance.errors import AttendanceError
from hrcore.attendance.overtime import OvertimePolicy, load_policy
from hrcore.errors import InvalidData, NotFound
from hrcore.models import Site

Clock = Callable[[], datetime]


def select_sites(session: Session, site_code: str | None) -> list[Site]:
    query = select(Site).order_by(Site.code)
    if site_code is not None:
        query = query.where(Site.code == site_code)
    sites = list(session.scalars(query))
    if site_code is not None and not sites:
        raise NotFound(f"no site with code {site_code!r}; list sites or fix --site")
    return sites


def site_zone(site: Site) -> ZoneInfo:
    try:
        return ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidData(
            f"site {site.code} has timezone {site.timezone!r}, not an IANA zone; fix the site"
        ) from exc


def site_policy(site: Site) -> OvertimePolicy:
    try:
        return load_policy(site.policy)
    except AttendanceError as exc:
        raise InvalidData(f"site {site.code}: {exc}") from exc


def utc_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return lo, hi
