"""The driver plug-in contract.

A driver family subclasses :class:`Driver`, declares its capabilities and a pydantic config
schema, and is registered under the entry-point group ``shiftgate.drivers``. Drivers are
synchronous; every blocking call has an explicit timeout. Retry and backoff belong to the
gateway, never to a driver.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import BaseModel

from drivers.errors import CapabilityNotSupported
from drivers.punch import DeviceInfo, DeviceUser, Punch

log = logging.getLogger(__name__)


class Capability(StrEnum):
    PULL = "pull"  # read_punches(since=cursor)
    PUSH = "push"  # the device sends to us (sans-IO handler mounted by the gateway)
    LIVE = "live"  # live_punches(): events as they happen
    CLOCK = "clock"  # get_clock / set_clock
    USERS = "users"  # list_users / upsert_user / delete_user
    CLEAR_LOG = "clear_log"  # clear_log(proof)


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Punches read since a cursor, and the cursor to pass next time.

    The caller persists ``cursor`` only after the punches are durably stored.
    """

    punches: list[Punch]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class DurableProof:
    """What a caller hands to :meth:`Driver.clear_log`: the cursor up to which every punch is
    committed to durable storage, and how many punches that covers."""

    cursor: str
    stored_count: int


class RejectKind(StrEnum):
    """Why a driver dropped bytes or a record it received (counted by the gateway)."""

    GARBAGE = "garbage"  # bytes outside any frame
    CHECKSUM = "checksum"  # a frame whose checksum does not match
    UNDECODABLE = "undecodable"  # a frame or record that does not match the format
    BAD_TIME = "bad_time"  # an impossible timestamp (30 February, out of range)
    OUT_OF_RANGE = "out_of_range"  # a register or field value outside what the map allows
    OTHER_DEVICE = "other_device"  # a record from another terminal on a shared bus


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """Something a driver received and could not turn into a punch; ``raw`` as received."""

    kind: RejectKind
    raw: bytes
    reason: str


RejectHandler = Callable[[RejectedRecord], None]


class AnomalyKind(StrEnum):
    """What a tolerated deviation from the protocol was about."""

    CHECKSUM = "checksum"  # a reply's checksum was not the one the protocol manual gives
    PROTOCOL = "protocol"  # anything else accepted although not what the protocol says


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something a device sent that the driver accepted, though it is not what the protocol
    says (what it drops is a :class:`RejectedRecord`). ``detail`` is a short code of the
    family (e.g. ``pyzk`` for a checksum form)."""

    kind: AnomalyKind
    detail: str


AnomalySink = Callable[[Anomaly], None]


class Driver(ABC):
    """Base class of every driver family."""

    family: ClassVar[str]
    description: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    config_model: ClassVar[type[BaseModel]]
    #: the anomalies this family may report (the gateway starts their series at 0)
    anomalies: ClassVar[frozenset[Anomaly]] = frozenset()

    def __init__(self, config: BaseModel) -> None:
        self.config = config
        self._reject_handler: RejectHandler | None = None
        self._anomaly_sink: AnomalySink | None = None

    def on_reject(self, handler: RejectHandler) -> None:
        """Have ``handler`` called with every record this driver drops (the gateway counts
        them in its metrics); the driver logs each one with its raw bytes either way."""
        self._reject_handler = handler

    def _rejected(self, record: RejectedRecord) -> None:
        log.warning(
            "record rejected family=%s kind=%s reason=%s raw=%s",
            self.family,
            record.kind.value,
            record.reason,
            record.raw.hex(),
        )
        if self._reject_handler is not None:
            self._reject_handler(record)

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> Self:
        """Build from raw settings (e.g. a YAML mapping), validated by ``config_model``."""
        return cls(cls.config_model.model_validate(settings))

    # -- anomalies -------------------------------------------------------------------------
    def watch_anomalies(self, sink: AnomalySink) -> None:
        """Have ``sink`` called for every tolerated deviation (the gateway counts them)."""
        self._anomaly_sink = sink

    def note_anomaly(self, anomaly: Anomaly) -> None:
        """Report a tolerated deviation to the watcher, if any (families call this)."""
        if self._anomaly_sink is not None:
            self._anomaly_sink(anomaly)

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets/files. Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- required --------------------------------------------------------------------------
    @abstractmethod
    def info(self) -> DeviceInfo:
        """Identity and counters of the device."""

    @abstractmethod
    def read_punches(self, since: str | None = None) -> ReadResult:
        """Punches not yet delivered since the opaque ``since`` cursor (``None``: everything)."""

    # -- optional, by capability -----------------------------------------------------------
    def _unsupported(self, capability: Capability) -> CapabilityNotSupported:
        return CapabilityNotSupported(self.family, capability.value)

    def get_clock(self) -> datetime:
        raise self._unsupported(Capability.CLOCK)

    def set_clock(self, value: datetime) -> None:
        raise self._unsupported(Capability.CLOCK)

    def list_users(self) -> list[DeviceUser]:
        raise self._unsupported(Capability.USERS)

    def upsert_user(self, user: DeviceUser) -> None:
        raise self._unsupported(Capability.USERS)

    def delete_user(self, user_id: str) -> None:
        raise self._unsupported(Capability.USERS)

    def live_punches(self, stop: threading.Event) -> Iterator[Punch]:
        raise self._unsupported(Capability.LIVE)

    def clear_log(self, proof: DurableProof) -> None:
        raise self._unsupported(Capability.CLEAR_LOG)

    def acknowledge(self, punches: Sequence[Punch]) -> None:  # noqa: B027 - optional hook
        """Tell the device these punches are durably stored.

        The caller calls this only after the punches (from :meth:`read_punches` or
        :meth:`live_punches`) are committed, and, for live punches, before it asks the
        iterator for the next one. Families whose devices wait for an acknowledgement
        (serial lines, Modbus record queues) write it here; for the others there is nothing
        to tell.
        """
