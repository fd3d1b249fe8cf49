"""The records a push-style terminal handed out as punches until the gateway stored them.

Serial-line and Modbus terminals keep a record until it is acknowledged and send it again when
an acknowledgement is lost. A driver holds each record it turned into a punch, releases it when
the gateway says the punch is stored (then acknowledges it to the terminal), and remembers the
keys of the last ``size`` records, so a resend is recognised as waiting or already stored.
"""

from __future__ import annotations

from collections import OrderedDict
from enum import Enum
from typing import Generic, Protocol, TypeVar
from uuid import UUID


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


R = TypeVar("R", bound=Keyed)


class Seen(Enum):
    NEW = "new"  # not among the remembered records
    WAITING = "waiting"  # handed out as a punch, not stored yet
    STORED = "stored"  # stored: the terminal missed our acknowledgement


class AckWindow(Generic[R]):
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an acknowledgement window needs a size of at least 1, not {size}")
        self.size = size
        self._seen: OrderedDict[str, UUID | None] = OrderedDict()
        self._held: dict[UUID, R] = {}

    def seen(self, key: str) -> Seen:
        """What became of the record with ``key`` (and keep it remembered as recent)."""
        if key not in self._seen:
            return Seen.NEW
        self._seen.move_to_end(key)
        return Seen.STORED if self._seen[key] is None else Seen.WAITING

    def hold(self, punch_id: UUID, record: R) -> None:
        """``record`` was handed out as the punch ``punch_id``."""
        self._remember(record.key, punch_id)
        self._held[punch_id] = record

    def release(self, punch_id: UUID) -> R | None:
        """The punch is stored: its record (to acknowledge), or None if it was not held here."""
        record = self._held.pop(punch_id, None)
        if record is not None:
            self._remember(record.key, None)
        return record

    def _remember(self, key: str, value: UUID | None) -> None:
        self._seen[key] = value
        self._seen.move_to_end(key)
        while len(self._seen) > self.size:
            _, old = self._seen.popitem(last=False)
            if old is not None:
                self._held.pop(old, None)
