"""``/api/v1/employees``: list, read, create or update, and import many at once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from gateway.api.deps import SessionDep, StateDep, audit, require
from gateway.api.errors import ERROR_RESPONSES, ApiError
from gateway.api.pages import Page, PageDep
from gateway.auth.roles import Permission
from gateway.auth.service import Principal
from hrcore.enums import PayBasis, WorkingHoursSystem
from hrcore.models import Employee
from hrcore.store.directory import (
    EmployeeIn,
    employee_page,
    get_employee,
    get_site,
    save_employee,
    site_code_of,
)

router = APIRouter(prefix="/api/v1", tags=["employees"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Writer = Annotated[Principal, Depends(require(Permission.EMPLOYEE_WRITE))]

MAX_IMPORT = 5000


class EmployeeBody(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    hire_date: date
    exit_date: date | None = None
    job_title: str | None = Field(default=None, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=50)
    working_hours_system: WorkingHoursSystem = WorkingHoursSystem.STANDARD
    pay_basis: PayBasis = PayBasis.MONTHLY
    base_pay: Decimal = Field(default=Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    default_shift: str | None = Field(default=None, max_length=64)

    def to_in(self) -> EmployeeIn:
        return EmployeeIn(
            code=self.code,
            name=self.name,
            hire_date=self.hire_date,
            exit_date=self.exit_date,
            job_title=self.job_title,
            skills=tuple(self.skills),
            working_hours_system=self.working_hours_system,
            pay_basis=self.pay_basis,
            base_pay=self.base_pay,
            default_shift_code=self.default_shift,
        )


class EmployeeSave(EmployeeBody):
    site: str = Field(min_length=1, max_length=64)


class EmployeeImport(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    employees: list[EmployeeBody] = Field(min_length=1, max_length=MAX_IMPORT)


class ImportResult(BaseModel):
    saved: int


class EmployeeOut(BaseModel):
    code: str
    name: str
    site: str
    job_title: str | None
    skills: list[str]
    hire_date: date
    exit_date: date | None
    working_hours_system: WorkingHoursSystem
    pay_basis: PayBasis
    base_pay: Decimal


def _out(emp: Employee, site_code: str) -> EmployeeOut:
    return EmployeeOut(
        code=emp.code,
        name=emp.name,
        site=site_code,
        job_title=emp.job_title,
        skills=list(emp.skills),
        hire_date=emp.hire_date,
        exit_date=emp.exit_date,
        working_hours_system=emp.working_hours_system,
        pay_basis=emp.pay_basis,
        base_pay=emp.base_pay,
    )


@router.get("/employees", response_model=Page[EmployeeOut])
def list_all(
    session: SessionDep,
    page: PageDep,
    _: Reader,
    site: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains.")] = None,
) -> Page[EmployeeOut]:
    found, total = employee_page(
        session,
        site=get_site(session, site) if site else None,
        text=q,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[_out(f.employee, f.site_code) for f in found],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/employees/{code}", response_model=EmployeeOut)
def get_one(code: str, session: SessionDep, _: Reader) -> EmployeeOut:
    emp = get_employee(session, code)
    return _out(emp, site_code_of(session, emp))


@router.post("/employees", response_model=EmployeeOut)
def save_one(
    body: EmployeeSave, session: SessionDep, state: StateDep, principal: Writer
) -> EmployeeOut:
    """Create the employee, or update the one with the same code."""
    site = get_site(session, body.site)
    emp = save_employee(session, site, body.to_in())
    audit(
        session,
        principal,
        state.clock(),
        "employee_save",
        "employee",
        emp.code,
        {"site": site.code, "name": emp.name},
    )
    session.commit()
    return _out(emp, site.code)


@router.post("/employees:import", response_model=ImportResult)
def import_many(
    body: EmployeeImport, session: SessionDep, state: StateDep, principal: Writer
) -> ImportResult:
    """Save every employee of the body, or none (one bad row refuses the whole import)."""
    site = get_site(session, body.site)
    codes = [e.code for e in body.employees]
    if len(set(codes)) != len(codes):
        dup = sorted(c for c, n in Counter(codes).items() if n > 1)
        raise ApiError(
            422, f"codes appear twice in the import: {', '.join(dup[:10])}", code="invalid_data"
        )
    for emp in body.employees:
        save_employee(session, site, emp.to_in())
    audit(
        session,
        principal,
        state.clock(),
        "employee_import",
        "employee",
        "",
        {"site": site.code, "saved": len(codes)},
    )
    session.commit()
    return ImportResult(saved=len(codes))
