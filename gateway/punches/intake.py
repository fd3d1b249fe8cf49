"""Wire punches -> the HR store: what the centre does with a batch (the batch API and a
gateway that runs beside its store both come here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.punches.wire import BatchResult, PunchWire
from hrcore.store import insert_punches
from hrcore.store.devices import sites_of_serials


def store_batch(session: Session, punches: Sequence[PunchWire]) -> BatchResult:
    """Insert a batch into the HR store (inside the caller's transaction); the store resolves
    each serial to its registered device, site and employee."""
    unique = len({p.id for p in punches})
    accepted = insert_punches(session, [p.to_punch_in() for p in punches])
    return BatchResult(accepted=accepted, duplicate=unique - accepted)


def foreign_punches(session: Session, site: str, punches: Sequence[PunchWire]) -> dict[int, str]:
    """By batch index, the punches a gateway of ``site`` may not write: those of a clock
    registered to another site, or to none at the centre."""
    owner = sites_of_serials(session, (p.device_sn for p in punches))
    foreign: dict[int, str] = {}
    for index, punch in enumerate(punches):
        other = owner.get(punch.device_sn)
        if other is None:
            foreign[index] = (
                f"device {punch.device_sn!r} is not registered at the centre; apply the "
                f"devices.yaml of site {site!r} there (shiftgate config apply)"
            )
        elif other != site:
            foreign[index] = (
                f"device {punch.device_sn!r} belongs to site {other!r}; this gateway's token "
                f"may write only site {site!r}"
            )
    return foreign


def store_one_by_one(
    session: Session, punches: Sequence[PunchWire]
) -> tuple[BatchResult, dict[int, str]]:
    """Store and commit each punch on its own; returns what was stored and, by batch index,
    the punches the store refused with an IntegrityError.

    For a batch that failed with IntegrityError (the caller rolled it back). Duplicate ids never
    cause one (the insert skips them), so such a punch breaks a store rule and would break it on
    every retry: it must be parked, not retried at the head of the queue forever. Other database
    errors propagate.
    """
    accepted = duplicate = 0
    refused: dict[int, str] = {}
    for index, punch in enumerate(punches):
        try:
            one = store_batch(session, [punch])
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            refused[index] = f"HR store refused the punch: {exc.orig}"
            continue
        accepted += one.accepted
        duplicate += one.duplicate
    return BatchResult(accepted=accepted, duplicate=duplicate), refused
