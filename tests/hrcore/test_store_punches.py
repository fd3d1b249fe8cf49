from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

import hrcore.models  # noqa: F401 - registers tables
from hrcore.db import Base, make_engine, make_session_factory
from hrcore.models import PunchRecord
from hrcore.store import PunchIn, insert_punches

CST = timezone(timedelta(hours=8))


def punch(user: str, minute: int) -> PunchIn:
    local = datetime(2025, 3, 3, 9, minute, tzinfo=CST)
    return PunchIn(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"SN1|{user}|{minute}"),
        device_sn="SN1",
        device_user=user,
        local_time=local,
        timezone="Asia/Shanghai",
        received_at=datetime(2025, 3, 3, 2, 0, tzinfo=UTC),
    )


def test_insert_punches_is_idempotent(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hr.db'}")
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    batch = [punch("1", 0), punch("2", 1)]
    with factory.begin() as s:
        assert insert_punches(s, batch) == 2
    with factory.begin() as s:
        assert insert_punches(s, [*batch, punch("3", 2)]) == 1
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(PunchRecord)) == 3
        row = s.get(PunchRecord, batch[0].id)
        assert row is not None
        assert row.at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
        assert row.local_time == "2025-03-03T09:00:00+08:00"
