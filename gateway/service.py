"""Assembles one gateway process: outbox, metrics, uploader, device manager (and the app)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from drivers.base import Capability
from drivers.errors import DriverError
from drivers.registry import load_driver
from gateway.app import create_app
from gateway.config.service import DeviceSpec, GatewayConfig
from gateway.devices.manager import (
    Clock,
    DeviceManager,
    DriverFactory,
    WorkerOptions,
    registry_driver_factory,
    utc_now,
)
from gateway.metrics import GatewayMetrics
from gateway.notify.people_files import PeopleConfig
from gateway.notify.risk_watch import RiskWatcher
from gateway.notify.webhook import WebhookSender
from gateway.push.service import PushService
from gateway.settings import Settings
from gateway.sync.outbox import Outbox, OutboxBudget
from gateway.sync.status import UploaderStatus
from gateway.sync.uploader import Centre, HttpCentre, StoreCentre, Uploader
from hrcore.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


def pulled(spec: DeviceSpec) -> bool:
    """Whether the gateway polls this device (push-only families, e.g. adms, call in)."""
    try:
        return Capability.PULL in load_driver(spec.driver).capabilities
    except DriverError:
        return True  # the worker reports the broken plug-in as the device's error


def outbox_budget(config: GatewayConfig) -> OutboxBudget | None:
    """The outbox's disk budget from ``outbox:`` in gateway.yaml (none when unset)."""
    cfg = config.outbox
    if cfg.budget_mb is None:
        return None
    return OutboxBudget(
        max_bytes=int(cfg.budget_mb * 1024 * 1024),
        alarm_fraction=cfg.alarm_fraction,
        prune_to_fraction=cfg.prune_to_fraction,
    )


class GatewayService:
    """Owns every long-lived piece of a running gateway; ``start()`` / ``stop()``."""

    def __init__(
        self,
        settings: Settings,
        config: GatewayConfig,
        devices: Sequence[DeviceSpec],
        *,
        factory: DriverFactory = registry_driver_factory,
        clock: Clock = utc_now,
        people: PeopleConfig | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.session_factory: sessionmaker[Session] = make_session_factory(
            make_engine(settings.database_url)
        )
        self.metrics = GatewayMetrics()
        self.outbox = Outbox.in_var_dir(
            settings.var_dir,
            clock=clock,
            budget=outbox_budget(config),
            on_pruned=self.metrics.outbox_pruned.inc,
        )
        self.metrics.watch_outbox(self.outbox.depth, self.outbox.oldest_pending_at, clock)
        self.metrics.watch_outbox_budget(
            lambda: self.outbox.usage().used_bytes,
            None if self.outbox.budget is None else self.outbox.budget.max_bytes,
            lambda: self.outbox.usage().alarm,
        )
        self.centre: Centre = (
            HttpCentre(
                config.centre.url, timeout_s=config.centre.timeout_s, token=config.centre.token
            )
            if config.centre.url
            else StoreCentre(self.session_factory, settings.database_url)
        )
        self.uploader = Uploader(
            self.outbox, self.centre, self.metrics, batch_size=config.centre.batch_size, clock=clock
        )
        self.push = PushService.build(
            devices,
            outbox=self.outbox,
            metrics=self.metrics,
            var_dir=settings.var_dir,
            clock=clock,
            auto_enrol=config.push.auto_enrol,
            default_timezone=devices[0].timezone if devices else "UTC",
            resend_after_s=config.push.resend_after_s,
            on_committed=self.uploader.wake,
        )
        self.devices = DeviceManager.build(
            [d for d in devices if pulled(d)],
            outbox=self.outbox,
            metrics=self.metrics,
            options=WorkerOptions.from_config(config),
            factory=factory,
            clock=clock,
            on_committed=self.uploader.wake,
        )
        self._stop = threading.Event()
        self._upload_thread = threading.Thread(
            target=self.uploader.run, args=(self._stop,), daemon=True, name="uploader"
        )
        # co-located with the store: re-evaluate the risk of employees with new punches
        self.risk_watcher: RiskWatcher | None = None
        self._risk_thread: threading.Thread | None = None
        if not config.centre.url and settings.risk_watch_interval_s > 0:
            url = settings.risk_webhook_url
            self.risk_watcher = RiskWatcher(
                self.session_factory,
                people or PeopleConfig(),
                clock=clock,
                metrics=self.metrics,
                sender=WebhookSender(url) if url else None,
            )
            self._risk_thread = threading.Thread(
                target=self.risk_watcher.run,
                args=(self._stop, settings.risk_watch_interval_s),
                daemon=True,
                name="risk-watch",
            )

    def start(self) -> None:
        log.info(
            "gateway starting devices=%d centre=%s outbox=%s depth=%d",
            len(self.devices.workers),
            self.centre.describe(),
            self.outbox.path,
            self.outbox.depth(),
        )
        self.devices.start()
        self._upload_thread.start()
        if self._risk_thread is not None:
            self._risk_thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.devices.stop()
        self.uploader.wake()
        self._upload_thread.join(10)
        self.push.store.flush()
        if self._risk_thread is not None and self._risk_thread.ident is not None:
            self._risk_thread.join(10)
        log.info("gateway stopped depth=%d", self.outbox.depth())

    def app(self) -> FastAPI:
        return create_app(
            self.settings,
            metrics_=self.metrics,
            session_factory=self.session_factory,
            device_status=self.devices.status,
            outbox_depth=self.outbox.depth,
            uploader_status=self.uploader_status,
            push=self.push,
        )

    def uploader_status(self) -> UploaderStatus:
        thread = self._upload_thread
        not_started = thread.ident is None
        return self.uploader.status(alive=not_started or thread.is_alive())
