"""Loader for the Curtois & Qu "Employee Shift Scheduling" benchmark files (Instance1-24).

Maps a file onto the solver's own classes; `curtois_policy()` switches on exactly the
benchmark's rules, so `solve` minimises exactly the benchmark objective: weighted unmet
shift-on requests + violated shift-off requests + under/over cover per (day, shift).
Day 0 is a Monday; the loader places it on `START` (a Monday).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from scheduler.errors import InvalidProblem
from scheduler.model import (
    Absence,
    AbsenceKind,
    Demand,
    Employee,
    Policy,
    Problem,
    Roster,
    Rule,
    RuleSetting,
    ShiftLimit,
    ShiftRequest,
    ShiftType,
)

START = date(2024, 1, 1)  # a Monday

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


def curtois_policy() -> Policy:
    hard = (
        Rule.SHIFT_SUCCESSION,
        Rule.MAX_SHIFTS_PER_TYPE,
        Rule.MIN_TOTAL_MINUTES,
        Rule.MAX_TOTAL_MINUTES,
        Rule.MAX_CONSECUTIVE_DAYS,
        Rule.MIN_CONSECUTIVE_DAYS,
        Rule.MIN_CONSECUTIVE_DAYS_OFF,
        Rule.MAX_WEEKENDS,
        Rule.UNAVAILABLE,
    )
    soft = (Rule.COVER_UNDER, Rule.COVER_OVER, Rule.SHIFT_ON_REQUEST, Rule.SHIFT_OFF_REQUEST)
    return Policy(
        name="curtois-qu",
        rules=tuple(RuleSetting(r, hard=True) for r in hard)
        + tuple(RuleSetting(r, hard=False, weight=1) for r in soft),
    )


def _sections(text: str, source: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    current: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                current = None
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InvalidProblem(f"{source}:{lineno}: unknown section {line}")
            current = line
            out[current] = []
            continue
        if current is None:
            raise InvalidProblem(f"{source}:{lineno}: data outside a section: {line!r}")
        out[current].append([f.strip() for f in line.split(",")])
    for sec in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"):
        if sec not in out:
            raise InvalidProblem(f"{source}: missing {sec}; is this a Curtois-Qu instance?")
    return out


def parse(text: str, *, source: str = "<text>", name: str = "") -> Problem:
    try:
        return _parse(text, source, name)
    except (ValueError, IndexError) as exc:
        raise InvalidProblem(f"{source}: malformed Curtois-Qu data ({exc})") from exc


def _parse(text: str, source: str, name: str) -> Problem:
    sec = _sections(text, source)
    days = int(sec["SECTION_HORIZON"][0][0])

    def day(i: str) -> date:
        k = int(i)
        if not 0 <= k < days:
            raise InvalidProblem(f"{source}: day {k} outside the horizon 0..{days - 1}")
        return START + timedelta(days=k)

    shifts = tuple(
        ShiftType(
            id=row[0],
            start=time(0, 0),  # the benchmark has no clock times
            minutes=int(row[1]),
            forbidden_next=frozenset(x for x in (row[2] if len(row) > 2 else "").split("|") if x),
        )
        for row in sec["SECTION_SHIFTS"]
    )
    employees = []
    for row in sec["SECTION_STAFF"]:
        limits = tuple(
            ShiftLimit(k, int(v))
            for k, v in (pair.split("=") for pair in row[1].split("|") if pair)
        )
        employees.append(
            Employee(
                id=row[0],
                max_shifts=limits,
                max_total_minutes=int(row[2]),
                min_total_minutes=int(row[3]),
                max_consecutive_days=int(row[4]),
                min_consecutive_days=int(row[5]),
                min_consecutive_days_off=int(row[6]),
                max_weekends=int(row[7]),
            )
        )
    absences = tuple(
        Absence(row[0], day(d), AbsenceKind.DAY_OFF)
        for row in sec.get("SECTION_DAYS_OFF", [])
        for d in row[1:]
        if d
    )
    requests = tuple(
        ShiftRequest(row[0], day(row[1]), row[2], want=want, weight=int(row[3]))
        for key, want in (
            ("SECTION_SHIFT_ON_REQUESTS", True),
            ("SECTION_SHIFT_OFF_REQUESTS", False),
        )
        for row in sec.get(key, [])
    )
    demand = tuple(
        Demand(
            day(row[0]),
            row[1],
            target=int(row[2]),
            under_weight=int(row[3]),
            over_weight=int(row[4]),
        )
        for row in sec["SECTION_COVER"]
    )
    return Problem(
        start=START,
        days=days,
        shifts=shifts,
        employees=tuple(employees),
        demand=demand,
        policy=curtois_policy(),
        absences=absences,
        requests=requests,
        name=name,
    )


def load(path: Path) -> Problem:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidProblem(f"cannot read Curtois-Qu file {path}: {exc.strerror}") from exc
    return parse(text, source=str(path), name=path.stem)


def roster_rows(problem: Problem, roster: Roster) -> list[tuple[str, int, str]]:
    """(employee, day index from 0, shift) rows in file order of employees, by day."""
    order = {e.id: i for i, e in enumerate(problem.employees)}
    rows = [(a.employee_id, problem.index_of(a.day), a.shift_id) for a in roster.assignments]
    return sorted(rows, key=lambda r: (order[r[0]], r[1]))
