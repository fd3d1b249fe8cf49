"""Which push devices this gateway knows: the ``adms`` and ``isapi`` entries of devices.yaml,
plus the serials an admin admitted from quarantine (kept in ``push.db``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from drivers.adms.driver import AdmsConfig
from gateway.config.service import DeviceSpec
from gateway.push.store import DeviceStatus, PushStore

ADMS = "adms"
ISAPI = "isapi"


@dataclass(frozen=True, slots=True)
class PushDevice:
    serial: str
    family: str
    timezone: str
    status: DeviceStatus
    adms: AdmsConfig | None = None
    host: str | None = None  # ISAPI: the terminal's address (events without serial in the URL)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class PushRegistry:
    """Configured devices by serial, and admitted ones looked up in the store."""

    def __init__(
        self,
        specs: Iterable[DeviceSpec],
        store: PushStore,
        *,
        auto_enrol: bool = False,
        default_timezone: str = "UTC",
    ) -> None:
        self.store = store
        self.auto_enrol = auto_enrol
        self.default_timezone = default_timezone
        self._configured: dict[str, PushDevice] = {}
        for spec in specs:
            if spec.driver == ADMS:
                cfg = AdmsConfig.model_validate(
                    {**spec.settings, "serial": spec.serial, "timezone": spec.timezone}
                )
                self._configured[spec.serial] = PushDevice(
                    spec.serial, ADMS, spec.timezone, DeviceStatus.CONFIGURED, adms=cfg
                )
            elif spec.driver == ISAPI:
                host = spec.settings.get("host")
                self._configured[spec.serial] = PushDevice(
                    spec.serial,
                    ISAPI,
                    spec.timezone,
                    DeviceStatus.CONFIGURED,
                    host=str(host) if host else None,
                )

    def configured(self) -> list[PushDevice]:
        return list(self._configured.values())

    def lookup(self, serial: str, family: str) -> PushDevice | None:
        """The device if it may write punches (configured, or admitted), else ``None``."""
        known = self._configured.get(serial)
        if known is not None:
            return known if known.family == family else None
        stored = self.store.device(serial)
        if stored is None or stored.status != DeviceStatus.ADMITTED or stored.family != family:
            return None
        tz = stored.timezone or self.default_timezone
        adms = AdmsConfig(serial=serial, timezone=tz) if family == ADMS else None
        return PushDevice(serial, family, tz, DeviceStatus.ADMITTED, adms=adms)

    def by_host(self, host: str) -> PushDevice | None:
        for device in self._configured.values():
            if device.family == ISAPI and device.host == host:
                return device
        return None

    def unknown_status(self) -> DeviceStatus:
        return DeviceStatus.QUARANTINED if self.auto_enrol else DeviceStatus.REFUSED
