"""Reading stored pay runs: a payslip explained, two runs compared, runs listed, export lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hrcore.errors import NotFound
from hrcore.models import (
    Employee,
    PayPeriod,
    PayrollLine,
    PayrollResult,
    PayrollRun,
    PayrollRunStatus,
    Site,
)
from hrcore.payroll.money import ZERO
from hrcore.payroll.trace import PayLine
from hrcore.store.payroll.periods import (
    _PAID,
    _period,
    _site,
    month_bounds,
)


@dataclass(frozen=True, slots=True)
class StoredPayslip:
    employee_code: str
    employee_name: str
    site: str
    month: date
    run_id: int
    run_status: PayrollRunStatus
    lines: tuple[PayLine, ...]

    def amount(self, code: str) -> Decimal:
        return sum((li.amount for li in self.lines if li.code == code), ZERO)


def _lines_of(session: Session, result_id: int) -> tuple[PayLine, ...]:
    return tuple(
        PayLine.from_basis(r.code, r.label, r.amount, r.basis)
        for r in session.scalars(
            select(PayrollLine)
            .where(PayrollLine.result_id == result_id)
            .order_by(PayrollLine.sequence)
        )
    )


def explain_payslip(
    session: Session, employee_code: str, month: date, *, run_id: int | None = None
) -> StoredPayslip:
    emp = session.scalar(select(Employee).where(Employee.code == employee_code))
    if emp is None:
        raise NotFound(f"no employee with code {employee_code!r}")
    first, _ = month_bounds(month)
    query = (
        select(PayrollResult, PayrollRun, Site)
        .join(PayrollRun, PayrollRun.id == PayrollResult.run_id)
        .join(PayPeriod, PayPeriod.id == PayrollRun.pay_period_id)
        .join(Site, Site.id == PayPeriod.site_id)
        .where(PayrollResult.employee_id == emp.id, PayPeriod.start_date == first)
    )
    if run_id is not None:
        query = query.where(PayrollRun.id == run_id)
    else:
        query = query.where(PayrollRun.status.in_(_PAID))
    row = session.execute(query.order_by(PayrollRun.id.desc())).first()
    if row is None:
        raise NotFound(
            f"no pay run holds {employee_code} for {first:%Y-%m}; run `shiftgate payroll run "
            f"--site SITE --month {first:%Y-%m}` first"
        )
    result, run, site = row
    return StoredPayslip(
        emp.code, emp.name, site.code, first, run.id, run.status, _lines_of(session, result.id)
    )


@dataclass(frozen=True, slots=True)
class LineChange:
    employee: str
    code: str
    site: str | None
    before: Decimal | None  # None: the line is new
    after: Decimal | None  # None: the line is gone
    moved: tuple[tuple[str, str, str], ...]  # (input, before, after) that differ


@dataclass(frozen=True, slots=True)
class RunDiff:
    run_a: int
    run_b: int
    changes: tuple[LineChange, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]


def _run_lines(
    session: Session, run_id: int
) -> dict[str, dict[tuple[str, str | None, int], PayLine]]:
    if session.get(PayrollRun, run_id) is None:
        raise NotFound(f"no pay run {run_id}; `shiftgate payroll runs` lists them")
    out: dict[str, dict[tuple[str, str | None, int], PayLine]] = defaultdict(dict)
    rows = session.execute(
        select(Employee.code, PayrollLine)
        .join(PayrollResult, PayrollResult.id == PayrollLine.result_id)
        .join(Employee, Employee.id == PayrollResult.employee_id)
        .where(PayrollResult.run_id == run_id)
        .order_by(Employee.code, PayrollLine.sequence)
    )
    for code, row in rows:
        line = PayLine.from_basis(row.code, row.label, row.amount, row.basis)
        lines = out[code]
        n = 0
        while (line.code, line.site, n) in lines:
            n += 1
        lines[(line.code, line.site, n)] = line
    return out


def diff_runs(session: Session, run_a: int, run_b: int) -> RunDiff:
    """What changed from run A to run B, line by line, with the inputs that moved."""
    a, b = _run_lines(session, run_a), _run_lines(session, run_b)
    changes: list[LineChange] = []
    for emp in sorted(set(a) & set(b)):
        la, lb = a[emp], b[emp]
        for key in sorted(set(la) | set(lb), key=lambda k: (k[0], k[1] or "", k[2])):
            x, y = la.get(key), lb.get(key)
            if x is not None and y is not None and x.amount == y.amount:
                continue
            ia = {i.name: i.value for i in x.inputs} if x else {}
            ib = {i.name: i.value for i in y.inputs} if y else {}
            moved = tuple(
                (name, ia.get(name, "-"), ib.get(name, "-"))
                for name in sorted(set(ia) | set(ib))
                if ia.get(name) != ib.get(name)
            )
            changes.append(
                LineChange(
                    emp, key[0], key[1], x.amount if x else None, y.amount if y else None, moved
                )
            )
    return RunDiff(
        run_a, run_b, tuple(changes), tuple(sorted(set(a) - set(b))), tuple(sorted(set(b) - set(a)))
    )


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    site: str
    month: date
    status: PayrollRunStatus
    created_at: datetime
    employees: int
    gross: Decimal
    net: Decimal


def list_runs(session: Session, site_code: str | None = None) -> tuple[RunSummary, ...]:
    query = (
        select(
            PayrollRun,
            Site.code,
            PayPeriod.start_date,
            func.coalesce(func.sum(PayrollResult.gross), 0),
            func.coalesce(func.sum(PayrollResult.net), 0),
        )
        .join(PayPeriod, PayPeriod.id == PayrollRun.pay_period_id)
        .join(Site, Site.id == PayPeriod.site_id)
        .outerjoin(PayrollResult, PayrollResult.run_id == PayrollRun.id)
        .group_by(PayrollRun.id, Site.code, PayPeriod.start_date)
        .order_by(PayrollRun.id)
    )
    if site_code is not None:
        query = query.where(Site.code == site_code)
    return tuple(
        RunSummary(r.id, code, start, r.status, r.created_at, r.employees, Decimal(g), Decimal(n))
        for r, code, start, g, n in session.execute(query)
    )


@dataclass(frozen=True, slots=True)
class ExportLine:
    run_id: int
    employee_code: str
    employee_name: str
    sequence: int
    code: str
    label: str
    site: str | None
    amount: Decimal
    formula: str
    source: str
    unconfirmed: bool


def export_lines(session: Session, run_id: int) -> tuple[ExportLine, ...]:
    if session.get(PayrollRun, run_id) is None:
        raise NotFound(f"no pay run {run_id}; `shiftgate payroll runs` lists them")
    out = []
    for code, name, row in session.execute(
        select(Employee.code, Employee.name, PayrollLine)
        .join(PayrollResult, PayrollResult.id == PayrollLine.result_id)
        .join(Employee, Employee.id == PayrollResult.employee_id)
        .where(PayrollResult.run_id == run_id)
        .order_by(Employee.code, PayrollLine.sequence)
    ):
        line = PayLine.from_basis(row.code, row.label, row.amount, row.basis)
        out.append(
            ExportLine(
                run_id,
                code,
                name,
                row.sequence,
                line.code,
                line.label,
                line.site,
                line.amount,
                line.formula,
                line.source,
                line.unconfirmed,
            )
        )
    return tuple(out)


def current_run_id(session: Session, site_code: str, month: date) -> int:
    """The period's draft or locked run, else its reopened one."""
    site = _site(session, site_code)
    period = _period(session, site, month_bounds(month)[0], create=False)
    run = (
        session.scalar(
            select(PayrollRun)
            .where(PayrollRun.pay_period_id == period.id, PayrollRun.status.in_(_PAID))
            .order_by(PayrollRun.id.desc())
        )
        if period
        else None
    )
    if run is None:
        raise NotFound(f"no pay run for {site.code} {month:%Y-%m}; run payroll first")
    return run.id
