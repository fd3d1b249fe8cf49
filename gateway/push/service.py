"""Everything a gateway needs to receive push devices, built once and handed to the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from gateway.config.service import DeviceSpec
from gateway.metrics import GatewayMetrics
from gateway.push.adms import AdmsReceiver
from gateway.push.commit import GroupCommitter
from gateway.push.isapi import IsapiReceiver
from gateway.push.registry import PushRegistry
from gateway.push.store import PushStore
from gateway.sync.outbox import Outbox


@dataclass(frozen=True, slots=True)
class PushService:
    store: PushStore
    registry: PushRegistry
    adms: AdmsReceiver
    isapi: IsapiReceiver

    @classmethod
    def build(
        cls,
        specs: Iterable[DeviceSpec],
        *,
        outbox: Outbox,
        metrics: GatewayMetrics,
        var_dir: Path,
        clock: Callable[[], datetime],
        auto_enrol: bool = False,
        default_timezone: str = "UTC",
        resend_after_s: float = 60.0,
        on_committed: Callable[[], None] = lambda: None,
    ) -> PushService:
        store = PushStore.in_var_dir(
            var_dir, clock=clock, resend_after=timedelta(seconds=resend_after_s)
        )
        registry = PushRegistry(
            specs, store, auto_enrol=auto_enrol, default_timezone=default_timezone
        )
        common = {
            "registry": registry,
            "store": store,
            "outbox": outbox,
            "metrics": metrics,
            "clock": clock,
            "on_committed": on_committed,
            "committer": GroupCommitter(outbox),
        }
        return cls(store, registry, AdmsReceiver(**common), IsapiReceiver(**common))  # type: ignore[arg-type]
