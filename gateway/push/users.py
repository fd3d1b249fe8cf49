"""Users of ADMS devices through the command queue: the gateway cannot call a PUSH clock, so
``devices sync-users`` plans against what the device reported (OPERLOG ``USER`` lines and
finished commands, with queued ones applied) and queues ``DATA UPDATE/DELETE USERINFO``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from drivers.adms import commands
from drivers.adms.driver import AdmsConfig, AdmsDriver
from drivers.base import Capability
from drivers.punch import DeviceUser
from gateway.push.store import PushStore


class QueuedAdmsDriver(AdmsDriver):
    """An :class:`AdmsDriver` whose user operations go through ``push.db``."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUSH, Capability.USERS})

    def __init__(self, config: BaseModel, store: PushStore) -> None:
        super().__init__(config)
        self.store = store

    @classmethod
    def for_serial(cls, settings: dict[str, object], store: PushStore) -> QueuedAdmsDriver:
        return cls(AdmsConfig.model_validate(settings), store)

    def list_users(self) -> list[DeviceUser]:
        return self.store.users(self.cfg.serial)

    def upsert_user(self, user: DeviceUser) -> None:
        self.store.enqueue(self.cfg.serial, commands.user_update(user))

    def delete_user(self, user_id: str) -> None:
        self.store.enqueue(self.cfg.serial, commands.user_delete(user_id))
