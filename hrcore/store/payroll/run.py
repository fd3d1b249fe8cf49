"""Pay runs over the HR store: load computed attendance, call the pure payroll core, store a
traced run; the run itself
(lock and reopen: :mod:`.lock`; explain, diff, export: :mod:`.read`).

A run covers one site and one calendar month (its :class:`PayPeriod`). Before writing
anything it checks every employee (base pay, social-insurance city, attendance days needing
review); any problem stops the run with all of them listed and nothing stored. A re-run with the
same inputs is a no-op (same fingerprint); a changed re-run supersedes the draft, which is kept
for ``diff``. A locked period refuses a run until it is reopened with a reason. Hours and cost
go to the site whose clock was punched (from the punches each attendance day used).
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hrcore.attendance.errors import AttendanceError
from hrcore.attendance.model import DayResult, DayStatus
from hrcore.attendance.overtime import NOT_WORK, OvertimeCategory, OvertimePolicy, load_policy
from hrcore.attendance.overtime.policies.cn import CnPolicy
from hrcore.enums import PayBasis
from hrcore.errors import InvalidData
from hrcore.models import (
    AttendanceDay,
    AuditEntry,
    Device,
    Employee,
    PayPeriod,
    PayPeriodStatus,
    PayrollLine,
    PayrollResult,
    PayrollRun,
    PayrollRunStatus,
    PunchRecord,
    Site,
)
from hrcore.payroll.errors import PayrollError
from hrcore.payroll.iit import YearToDate
from hrcore.payroll.money import ZERO
from hrcore.payroll.pay import (
    EmployeePay,
    OvertimeBucket,
    PayItem,
    PayRequest,
    Payslip,
    SiteHours,
    compute_payslip,
)
from hrcore.payroll.social import CityTemplate, template_for
from hrcore.payroll.trace import LineKind, PayLine, inputs
from hrcore.store.payroll.periods import (
    _PAID,
    Clock,
    PayrollBlocked,
    PayrollProblem,
    _current_run,
    _period,
    _site,
    log,
    month_bounds,
)


@dataclass(frozen=True, slots=True)
class PayData:
    """What the store does not hold about an employee's pay this month (from HR's file)."""

    si_base: Decimal | None = None
    special_deductions: Decimal = ZERO
    items: tuple[PayItem, ...] = ()
    bonus_taxed_separately: bool = True  # False: the taxpayer merges the bonus into wages


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: int
    site: str
    month: date
    employees: int
    gross: Decimal
    net: Decimal
    employer_cost: Decimal
    unchanged: bool  # same inputs as the current draft: nothing written
    superseded_run: int | None
    unconfirmed_lines: int


@dataclass(slots=True)
class _Acc:
    regular: int = 0
    overtime: dict[tuple[OvertimeCategory, Decimal], int] = field(default_factory=dict)
    absent: int = 0

    def add_ot(self, category: OvertimeCategory, multiplier: Decimal, minutes: int) -> None:
        if minutes:
            key = (category, multiplier)
            self.overtime[key] = self.overtime.get(key, 0) + minutes


def _day_sites(
    session: Session, site: Site, emp_ids: Sequence[int], first: date, last: date
) -> dict[int, Callable[[Any], str]]:
    """Per employee, a function from an attendance day row to the site code its punches were
    made at: one query for the sites each employee punched at; the punch ids of a day's trace
    only for those who punched at more than one site."""
    lo = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC)
    pairs = session.execute(
        select(PunchRecord.employee_id, Site.code)
        .join(Employee, Employee.id == PunchRecord.employee_id)
        .join(Device, Device.serial_number == PunchRecord.device_sn)
        .join(Site, Site.id == Device.site_id)
        .where(Employee.site_id == site.id, PunchRecord.at >= lo, PunchRecord.at < hi)
        .distinct()
    ).all()
    sites: defaultdict[int, set[str]] = defaultdict(set)
    for emp, code in pairs:
        if emp is not None:
            sites[emp].add(code)
    out: dict[int, Callable[[Any], str]] = {}
    multi = [e for e, s in sites.items() if len(s) > 1]
    punch_site: dict[str, str] = {}
    traces: dict[int, list[Any]] = {}
    for chunk in range(0, len(multi), 500):
        some = multi[chunk : chunk + 500]
        for pid, code in session.execute(
            select(PunchRecord.id, Site.code)
            .join(Device, Device.serial_number == PunchRecord.device_sn)
            .join(Site, Site.id == Device.site_id)
            .where(PunchRecord.employee_id.in_(some), PunchRecord.at >= lo, PunchRecord.at < hi)
        ):
            punch_site[str(pid)] = code
        for day_id, trace in session.execute(
            select(AttendanceDay.id, AttendanceDay.trace).where(
                AttendanceDay.employee_id.in_(some),
                AttendanceDay.date >= first,
                AttendanceDay.date <= last,
            )
        ):
            traces[day_id] = trace
    for emp in emp_ids:
        found = sites.get(emp)
        if not found or len(found) == 1:
            out[emp] = _always(next(iter(found)) if found else site.code)
            continue
        fallback = site.code if site.code in found else sorted(found)[0]

        def pick(day: Any, fallback: str = fallback) -> str:
            used = Counter(
                punch_site.get(str(e.get("punch_id")), "")
                for e in traces.get(day.id, ())
                if e.get("kind") == "used" and e.get("punch_id")
            )
            used.pop("", None)
            return used.most_common(1)[0][0] if used else fallback

        out[emp] = pick
    return out


def _always(code: str) -> Callable[[Any], str]:
    def site_of(_day: Any) -> str:
        return code

    return site_of


def _cn_multipliers(policy: OvertimePolicy) -> dict[OvertimeCategory, Decimal]:
    rules = policy.rules if isinstance(policy, CnPolicy) else None
    if rules is None:
        raise InvalidData(f"policy {policy.code} is not the CN policy")
    return {
        OvertimeCategory.WORKDAY: rules.workday_multiplier,
        OvertimeCategory.RESTDAY: rules.restday_multiplier,
        OvertimeCategory.HOLIDAY: rules.holiday_multiplier,
    }


def _year_to_date(
    session: Session, emp_ids: Sequence[int], site: Site, first: date
) -> dict[int, YearToDate]:
    """What earlier months of the tax year withheld on: per period, its latest run that is not
    superseded (the draft or locked one, else the reopened one)."""
    if first.month == 1:
        return {}
    latest = (
        select(func.max(PayrollRun.id))
        .join(PayPeriod, PayPeriod.id == PayrollRun.pay_period_id)
        .where(
            PayPeriod.site_id == site.id,
            PayPeriod.start_date >= first.replace(month=1),
            PayPeriod.start_date < first,
            PayrollRun.status.in_(_PAID),
        )
        .group_by(PayrollRun.pay_period_id)
    )
    rows = session.execute(
        select(
            PayrollResult.employee_id,
            PayrollResult.id,
            PayrollLine.code,
            PayrollLine.amount,
            PayrollLine.basis,
        )
        .join(PayrollRun, PayrollRun.id == PayrollResult.run_id)
        .join(PayPeriod, PayPeriod.id == PayrollRun.pay_period_id)
        .join(PayrollLine, PayrollLine.result_id == PayrollResult.id)
        .where(
            PayPeriod.site_id == site.id,
            PayPeriod.start_date >= first.replace(month=1),
            PayPeriod.start_date < first,
            PayrollRun.id.in_(latest),
        )
    ).all()
    sums: defaultdict[int, defaultdict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    months: defaultdict[int, set[int]] = defaultdict(set)
    for emp, result_id, code, amount, basis in rows:
        months[emp].add(result_id)
        acc = sums[emp]
        if code == "gross":
            acc["income"] += amount
        elif code in ("iit",):
            acc["tax"] += amount
        elif code == "iit.special_deductions":
            acc["special"] += amount
        elif code == "iit.other_deductions":
            acc["other"] += amount
        elif code.startswith(("si.", "hf.")) and '"kind": "deduction"' in basis:
            acc["si"] += amount
    return {
        emp: YearToDate(
            len(months[emp]), acc["income"], acc["si"], acc["special"], acc["other"], acc["tax"]
        )
        for emp, acc in sums.items()
    }


def _stored_lines(slips: Sequence[Payslip]) -> list[list[tuple[PayLine, str]]]:
    """Each payslip's lines (site costs appended) with their basis JSON, each JSON made once:
    contribution lines of equal bases are the same objects, shared by many payslips."""
    made: dict[int, str] = {}
    out = []
    for slip in slips:
        rows = []
        for line in (*slip.lines, *_site_cost_lines(slip)):
            basis = made.get(id(line))
            if basis is None:
                basis = made[id(line)] = line.basis_json()
            rows.append((line, basis))
        out.append(rows)
    return out


def _fingerprint(slips: Sequence[Payslip], lines: Sequence[Sequence[tuple[PayLine, str]]]) -> str:
    digest = hashlib.sha256()
    for slip, rows in zip(slips, lines, strict=True):
        for line, basis in rows:
            digest.update(f"{slip.employee}|{line.code}|{line.amount}|{basis}\n".encode())
    return digest.hexdigest()


def _site_cost_lines(slip: Payslip) -> list[PayLine]:
    return [
        PayLine(
            code="cost.site",
            label=f"Cost at {c.site}",
            kind=LineKind.TOTAL,
            amount=c.cost,
            formula=f"{c.earnings} pay + {c.employer_contributions} employer SI/HF share",
            inputs=inputs(
                minutes=c.minutes, earnings=c.earnings, employer=c.employer_contributions
            ),
            source="cost centre: the site whose clock was punched; employer share by pay share",
            site=c.site,
        )
        for c in slip.sites
    ]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A run allocates a few hundred thousand short-lived objects (lines, inputs, JSON) that
    reference counting frees; the cyclic collector, triggered by allocation counts alone, kept
    rescanning the heap (as in attendance compute, issue #7). Back on afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_payroll(
    session: Session,
    site_code: str,
    month: date,
    *,
    templates: Mapping[str, CityTemplate],
    clock: Clock,
    actor: str = "shiftgate",
    pay_data: Mapping[str, PayData] | None = None,
) -> RunReport:
    """Compute and store the pay run of ``site_code`` for ``month``, in the caller's
    transaction. Raises :class:`PayrollBlocked` (nothing written) on bad data."""
    with _cyclic_gc_paused():
        return _run(
            session,
            site_code,
            month,
            templates=templates,
            clock=clock,
            actor=actor,
            pay_data=pay_data,
        )


def _run(
    session: Session,
    site_code: str,
    month: date,
    *,
    templates: Mapping[str, CityTemplate],
    clock: Clock,
    actor: str,
    pay_data: Mapping[str, PayData] | None,
) -> RunReport:
    site = _site(session, site_code)
    first, last = month_bounds(month)
    data = pay_data or {}
    existing = _period(session, site, first, create=False)
    if existing is not None and existing.status is PayPeriodStatus.CLOSED:
        run = _current_run(session, existing.id)
        raise InvalidData(
            f"pay period {site.code} {first:%Y-%m} is locked (run {run.id if run else '?'}); "
            f"reopen it first: shiftgate payroll reopen --site {site.code} --month "
            f"{first:%Y-%m} --reason '...'"
        )
    try:
        policy = load_policy(site.policy)
    except AttendanceError as exc:
        raise InvalidData(f"site {site.code}: {exc}") from exc
    employees = list(
        session.scalars(
            select(Employee)
            .where(
                Employee.site_id == site.id,
                Employee.hire_date <= last,
                (Employee.exit_date.is_(None)) | (Employee.exit_date >= first),
            )
            .order_by(Employee.code)
        )
    )
    if not employees:
        raise InvalidData(f"site {site.code} has no employees in {first:%Y-%m}; nothing to pay")
    problems: list[PayrollProblem] = []
    unknown = set(data) - {e.code for e in employees}
    problems.extend(
        PayrollProblem(code, f"pay data for an employee not at site {site.code}")
        for code in sorted(unknown)
    )
    emp_ids = [e.id for e in employees]
    days_by_emp: defaultdict[int, list[Any]] = defaultdict(list)
    ctx_first, ctx_last = (first, last) if site.policy == "cn" else policy.context(first, last)
    for day in session.execute(
        select(
            AttendanceDay.id,
            AttendanceDay.employee_id,
            AttendanceDay.date,
            AttendanceDay.status,
            AttendanceDay.worked_minutes,
            AttendanceDay.overtime_workday_minutes,
            AttendanceDay.overtime_restday_minutes,
            AttendanceDay.overtime_holiday_minutes,
            AttendanceDay.needs_review,
        )
        .join(Employee, Employee.id == AttendanceDay.employee_id)
        .where(
            Employee.site_id == site.id,
            AttendanceDay.date >= ctx_first,
            AttendanceDay.date <= ctx_last,
        )
        .order_by(AttendanceDay.employee_id, AttendanceDay.date)
    ):
        days_by_emp[day.employee_id].append(day)
    if not days_by_emp:
        raise PayrollBlocked(
            site.code,
            first,
            [
                PayrollProblem(
                    site.code,
                    f"no attendance computed in {first:%Y-%m}; run `shiftgate attendance "
                    f"compute --site {site.code} --from {first} --to {last}` first",
                )
            ],
        )
    pick_site = _day_sites(session, site, emp_ids, first, last)
    ytd = _year_to_date(session, emp_ids, site, first)
    cn_rates = _cn_multipliers(policy) if site.policy == "cn" else {}
    requests: list[tuple[Employee, PayRequest]] = []
    for emp in employees:
        days = days_by_emp.get(emp.id, [])
        review = [d.date for d in days if d.needs_review and first <= d.date <= last]
        if review:
            problems.append(
                PayrollProblem(
                    emp.code,
                    f"{len(review)} attendance day(s) need review "
                    f"({', '.join(map(str, review[:5]))}"
                    f"{' ...' if len(review) > 5 else ''}); see `shiftgate attendance explain "
                    f"{emp.code} {review[0]}`, fix, recompute",
                )
            )
            continue
        if emp.base_pay is None or emp.base_pay <= 0:
            problems.append(PayrollProblem(emp.code, "no base pay; set base_pay in site.yaml"))
            continue
        city: CityTemplate | None = None
        if site.policy == "cn":
            try:
                city = template_for(templates, emp.social_insurance_city or site.city)
            except PayrollError as exc:
                problems.append(PayrollProblem(emp.code, str(exc)))
                continue
        elif emp.pay_basis is not PayBasis.HOURLY:
            problems.append(
                PayrollProblem(emp.code, f"policy {site.policy} prices hourly staff only")
            )
            continue
        accs: defaultdict[str, _Acc] = defaultdict(_Acc)
        where = pick_site[emp.id]
        if site.policy == "cn":
            # per site: regular, workday, rest-day, holiday minutes, absent days
            sums: dict[str, list[int]] = {}
            for d in days:  # the CN figures need no context beyond the month
                key = where(d)
                t = sums.get(key)
                if t is None:
                    t = sums[key] = [0, 0, 0, 0, 0]
                w, r, h = (
                    d.overtime_workday_minutes,
                    d.overtime_restday_minutes,
                    d.overtime_holiday_minutes,
                )
                worked = 0 if d.status in NOT_WORK else d.worked_minutes
                if worked > w + r + h:
                    t[0] += worked - w - r - h
                t[1] += w
                t[2] += r
                t[3] += h
                if d.status == DayStatus.ABSENT:
                    t[4] += 1
            for key, (regular, w, r, h, absent) in sums.items():
                acc = accs[key]
                acc.regular, acc.absent = regular, absent
                acc.add_ot(OvertimeCategory.WORKDAY, cn_rates[OvertimeCategory.WORKDAY], w)
                acc.add_ot(OvertimeCategory.RESTDAY, cn_rates[OvertimeCategory.RESTDAY], r)
                acc.add_ot(OvertimeCategory.HOLIDAY, cn_rates[OvertimeCategory.HOLIDAY], h)
        else:
            in_month = [d for d in days if first <= d.date <= last]
            # the US policies need only worked minutes per date: re-evaluate the stored days
            # over the policy's context to get each line's multiplier back
            judged = [
                DayResult(
                    emp.code,
                    d.date,
                    policy.calendar.kind(d.date),
                    DayStatus(d.status),
                    None,
                    d.worked_minutes,
                )
                for d in days
            ]
            report = policy.evaluate(emp.code, judged, emp.working_hours_system)
            row_of = {d.date: d for d in days}
            overtime_of: Counter[date] = Counter()
            for ot_line in report.lines:
                if first <= ot_line.date <= last:
                    accs[where(row_of[ot_line.date])].add_ot(
                        ot_line.category, ot_line.multiplier, ot_line.minutes
                    )
                    overtime_of[ot_line.date] += ot_line.minutes
            for d in in_month:
                worked = 0 if d.status in NOT_WORK else d.worked_minutes
                accs[where(d)].regular += max(0, worked - overtime_of[d.date])
        extra = data.get(emp.code, PayData())
        hours = tuple(
            SiteHours(
                code,
                Decimal(acc.regular),
                tuple(
                    OvertimeBucket(cat, mult, Decimal(minutes))
                    for (cat, mult), minutes in sorted(acc.overtime.items())
                ),
                Decimal(acc.absent),
            )
            for code, acc in sorted(accs.items())
        )
        try:
            pay = EmployeePay(
                emp.code,
                emp.pay_basis,
                emp.base_pay,
                city,
                extra.si_base,
                extra.special_deductions,
                extra.bonus_taxed_separately,
            )
            requests.append(
                (
                    emp,
                    PayRequest(
                        pay,
                        first,
                        site.code,
                        hours,
                        extra.items,
                        ytd.get(emp.id, YearToDate()),
                        policy=site.policy,
                    ),
                )
            )
        except PayrollError as exc:
            problems.append(PayrollProblem(emp.code, str(exc)))
    slips: list[tuple[Employee, Payslip]] = []
    for emp, req in requests:
        try:
            slips.append((emp, compute_payslip(req)))
        except PayrollError as exc:
            problems.append(PayrollProblem(emp.code, str(exc)))
    if problems:
        raise PayrollBlocked(site.code, first, problems)
    stored = _stored_lines([s for _, s in slips])
    fingerprint = _fingerprint([s for _, s in slips], stored)
    period = _period(session, site, first, create=True)
    assert period is not None
    current = _current_run(session, period.id)
    gross = sum((s.gross for _, s in slips), ZERO)
    net = sum((s.net for _, s in slips), ZERO)
    cost = sum((s.gross + s.employer_contributions for _, s in slips), ZERO)
    unconfirmed = sum(1 for _, s in slips for li in s.lines if li.unconfirmed)
    if current is not None and current.fingerprint == fingerprint:
        return RunReport(
            current.id, site.code, first, len(slips), gross, net, cost, True, None, unconfirmed
        )
    now = clock()
    superseded = None
    if current is not None:
        current.status = PayrollRunStatus.SUPERSEDED
        superseded = current.id
    run = PayrollRun(
        pay_period_id=period.id,
        status=PayrollRunStatus.DRAFT,
        created_at=now,
        actor=actor,
        fingerprint=fingerprint,
        employees=len(slips),
    )
    session.add(run)
    session.flush()
    connection = session.connection()
    result_rows = [
        {
            "run_id": run.id,
            "pay_period_id": period.id,
            "employee_id": emp.id,
            "gross": slip.gross,
            "net": slip.net,
            "computed_at": now,
        }
        for emp, slip in slips
    ]
    for start in range(0, len(result_rows), 5000):
        connection.execute(insert(PayrollResult), result_rows[start : start + 5000])
    ids = dict(
        session.execute(
            select(PayrollResult.employee_id, PayrollResult.id).where(
                PayrollResult.run_id == run.id
            )
        ).all()
    )
    lines: list[dict[str, Any]] = []
    for (emp, _), rows in zip(slips, stored, strict=True):
        result_id = ids[emp.id]
        for seq, (line, basis) in enumerate(rows):
            lines.append(
                {
                    "result_id": result_id,
                    "sequence": seq,
                    "code": line.code,
                    "label": line.label[:200],
                    "amount": line.amount,
                    "basis": basis,
                    "site_code": line.site,
                }
            )
    for start in range(0, len(lines), 10000):
        connection.execute(insert(PayrollLine), lines[start : start + 10000])
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="payroll.run",
            entity="payroll_run",
            entity_id=str(run.id),
            detail={
                "site": site.code,
                "month": f"{first:%Y-%m}",
                "employees": len(slips),
                "gross": str(gross),
                "net": str(net),
                "superseded_run": superseded,
            },
        )
    )
    log.info(
        "payroll run site=%s month=%s run=%d employees=%d", site.code, first, run.id, len(slips)
    )
    return RunReport(
        run.id, site.code, first, len(slips), gross, net, cost, False, superseded, unconfirmed
    )
