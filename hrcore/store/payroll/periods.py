"""A site's pay periods and their current run: the lookups every pay-run step shares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hrcore.errors import InvalidData, NotFound
from hrcore.models import (
    PayPeriod,
    PayrollRun,
    PayrollRunStatus,
    Site,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_CURRENT = (PayrollRunStatus.DRAFT, PayrollRunStatus.LOCKED)
#: what a period's pay is for reading: its draft or locked run, else the reopened one (a
#: reopened period not yet run again was still paid as locked)
_PAID = (*_CURRENT, PayrollRunStatus.REOPENED)


@dataclass(frozen=True, slots=True)
class PayrollProblem:
    employee: str
    message: str


class PayrollBlocked(InvalidData):
    """The run met bad data; nothing was stored. ``problems`` lists every one."""

    def __init__(self, site: str, month: date, problems: Sequence[PayrollProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(f"{p.employee}: {p.message}" for p in self.problems[:20])
        more = f" (and {len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        super().__init__(
            f"payroll {site} {month:%Y-%m} not run, nothing stored: {len(self.problems)} "
            f"problem(s): {listed}{more}"
        )


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def _site(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound(f"no site with code {code!r}; check --site")
    return site


def _period(session: Session, site: Site, month: date, *, create: bool) -> PayPeriod | None:
    first, last = month_bounds(month)
    period = session.scalar(
        select(PayPeriod).where(PayPeriod.site_id == site.id, PayPeriod.start_date == first)
    )
    if period is None and create:
        period = PayPeriod(site_id=site.id, start_date=first, end_date=last)
        session.add(period)
        session.flush()
    return period


def _current_run(session: Session, period_id: int) -> PayrollRun | None:
    return session.scalar(
        select(PayrollRun)
        .where(PayrollRun.pay_period_id == period_id, PayrollRun.status.in_(_CURRENT))
        .order_by(PayrollRun.id.desc())
    )
