"""HR import into the store (all or nothing, idempotent, audited) and the profile."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hrcore.errors import InvalidData
from hrcore.models import (
    AuditEntry,
    Course,
    CourseCompletion,
    Employee,
    KpiValue,
    Leave,
    SurveyAnswer,
)
from hrcore.people.config import load_ladders, load_scorecard
from hrcore.people.mapping import mapping_from_dict
from hrcore.people.reading import read_sheet
from hrcore.people.validation import ImportCheck, check_import
from hrcore.store import SiteIn, save_site
from hrcore.store.people import ImportOutcome, apply_import, known_codes, profile

ROOT = Path(__file__).resolve().parents[3]
AT = datetime(2026, 9, 21, 8, 0, tzinfo=UTC)
MAPPINGS: dict[str, dict[str, Any]] = {
    "employees": {
        "table": "employees",
        "columns": {
            "code": "ID",
            "name": "Name",
            "hire_date": "Hired",
            "job_title": "Role",
            "skills": "Skills",
        },
        "defaults": {"site": "WH1"},
    },
    "leave": {
        "table": "leave",
        "columns": {"employee": "ID", "kind": "Kind", "start": "From", "end": "To"},
    },
    "courses": {"table": "courses", "columns": {"code": "Code", "title": "Title"}},
    "completions": {
        "table": "completions",
        "columns": {"employee": "ID", "course": "Course", "percent": "Done"},
    },
    "kpis": {
        "table": "kpis",
        "columns": {"employee": "ID", "period": "Month", "kpi": "KPI", "value": "Value"},
    },
    "surveys": {
        "table": "surveys",
        "columns": {"employee": "ID", "period": "Month", "under_pressure": "Pressure"},
    },
}
FILES = {
    "employees": "ID,Name,Hired,Role,Skills\nA1,Li Na,2024-03-01,ads specialist,ppc\n"
    "A2,Wang Wei,2025-01-15,picker,\n",
    "leave": "ID,Kind,From,To\nA1,sick,2026-09-07,2026-09-10\n",
    "courses": "Code,Title\nads-basics,ads basics\nadvanced-ads,advanced ads\n",
    "completions": "ID,Course,Done\nA1,ads-basics,100\nA1,advanced-ads,85%\n",
    "kpis": "ID,Month,KPI,Value\nA1,2026-08,acos,28\nA1,2026-09,acos,26\nA1,2026-09,gmv,90000\n",
    "surveys": "ID,Month,Pressure\nA1,2026-09,yes\n",
}


def check(session: Session, tmp_path: Path, table: str, text: str | None = None) -> ImportCheck:
    path = tmp_path / f"{table}.csv"
    path.write_text(text if text is not None else FILES[table], encoding="utf-8")
    return check_import(read_sheet(path), mapping_from_dict(MAPPINGS[table]), known_codes(session))


def import_all(factory: sessionmaker[Session], tmp_path: Path) -> list[ImportOutcome]:
    outcomes = []
    for table in FILES:
        with factory.begin() as session:
            result = check(session, tmp_path, table)
            assert result.ok, result.problems
            outcomes.append(apply_import(session, result, actor="test", at=AT))
    return outcomes


def counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Employee, Leave, Course, CourseCompletion, KpiValue, SurveyAnswer, AuditEntry)
    )


@pytest.fixture
def factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_factory.begin() as session:
        save_site(session, SiteIn("WH1", "Warehouse 1", "Asia/Shanghai"))
    return session_factory


def test_a_good_set_is_stored_once_and_a_reimport_changes_nothing(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    first = import_all(factory, tmp_path)
    assert [(o.table.value, o.created, o.updated) for o in first] == [
        ("employees", 2, 0),
        ("leave", 1, 0),
        ("courses", 2, 0),
        ("completions", 2, 0),
        ("kpis", 3, 0),
        ("surveys", 1, 0),
    ]
    with factory() as session:
        stored = counts(session)
        assert stored == (2, 1, 2, 2, 3, 1, 6)  # one audit entry per import
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert audit is not None
        assert (audit.action, audit.entity, audit.entity_id, audit.actor) == (
            "import",
            "employees",
            "employees.csv",
            "test",
        )
        assert audit.detail == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
        leave = session.scalars(select(Leave)).one()
        assert leave.source == "leave.csv:2"
    again = import_all(factory, tmp_path)
    assert [(o.created, o.updated, o.unchanged) for o in again] == [
        (0, 0, 2),
        (0, 0, 1),
        (0, 0, 2),
        (0, 0, 2),
        (0, 0, 3),
        (0, 0, 1),
    ]
    with factory() as session:
        assert counts(session) == stored  # not even an audit entry


def test_a_changed_value_updates_its_row_only(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    import_all(factory, tmp_path)
    with factory.begin() as session:
        changed = FILES["kpis"].replace("90000", "95000")
        outcome = apply_import(session, check(session, tmp_path, "kpis", changed), actor="t", at=AT)
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    with factory() as session:
        gmv = session.scalars(select(KpiValue).where(KpiValue.kpi == "gmv")).one()
        assert gmv.value == Decimal(95000)


def test_a_file_full_of_errors_stores_nothing(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    import_all(factory, tmp_path)
    with factory() as session:
        before = counts(session)
    bad = (
        "ID,Kind,From,To\n"
        "A1,annual,2026-10-01,2026-10-02\n"  # fine on its own
        "Z9,sick,2026-10-05,2026-10-05\n"  # unknown employee
        "A2,sick,2026-10-07,2026-10-06\n"  # ends before it starts
        "A2,nap,2026-10-08,2026-10-08\n"  # unknown kind
        "A2,sick,08.10.2026,2026-10-08\n"  # bad date
        "A1,annual,2026-10-01,2026-10-03\n"  # duplicate of row 2
    )
    with factory.begin() as session:
        result = check(session, tmp_path, "leave", bad)
        assert [(p.row, p.column) for p in result.problems] == [
            (3, "ID"),
            (4, "To"),
            (5, "Kind"),
            (6, "From"),
            (7, "ID"),
        ]
        with pytest.raises(InvalidData, match="5 problem"):
            apply_import(session, result, actor="t", at=AT)
    with factory() as session:
        assert counts(session) == before


def test_profile_shows_training_scorecard_ladder_and_leave(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    import_all(factory, tmp_path)
    ladders, titles = load_ladders(ROOT / "config/people/ladder.yaml")
    with factory() as session:
        p = profile(
            session,
            "A1",
            as_of=date(2026, 9, 20),
            scorecard=load_scorecard(ROOT / "config/people/scorecard.yaml"),
            ladders=ladders,
            course_titles=titles,
        )
    assert (p.name, p.site, p.job_title, p.skills) == ("Li Na", "WH1", "ads specialist", ("ppc",))
    assert [(t.course, t.percent) for t in p.training] == [
        ("ads-basics", Decimal(100)),
        ("advanced-ads", Decimal(85)),
    ]
    assert [(lv.kind, lv.start, lv.end) for lv in p.leave] == [
        ("sick", date(2026, 9, 7), date(2026, 9, 10))
    ]
    # ads specialist weights (financial only here): 2026-08 acos 25/28 = 89.29 % -> 8.9;
    # 2026-09 (acos 25/26 = 96.15 % + gmv 90 %) / 2 = 93.08 % -> 9.3
    assert [(c.period, c.points) for c in p.scorecards] == [
        ("2026-08", Decimal("8.9")),
        ("2026-09", Decimal("9.3")),
    ]
    assert p.ladder is not None and p.ladder.current is not None
    assert p.ladder.current.code == "L2"
    assert p.ladder.missing[0] == "course 'advanced ads', completion 85 % of 90 %"
    assert len(p.weeks) == 8 and all(w.worked_minutes == 0 for w in p.weeks)
    assert (p.level, p.flags) == (None, ())
