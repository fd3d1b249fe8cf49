"""Write a throwaway config folder (site.yaml, devices.yaml, gateway.yaml) for tests, the crash
harness and benchmarks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml


def write_config_dir(
    config_dir: Path,
    devices: Sequence[Mapping[str, object]],
    *,
    site: str = "WH1",
    timezone: str = "Asia/Shanghai",
    gateway: Mapping[str, object] | None = None,
) -> None:
    """``devices`` are devices.yaml entries; ``gateway`` is the gateway.yaml mapping."""
    config_dir.mkdir(parents=True, exist_ok=True)
    site_doc = {"code": site, "name": f"Site {site}", "timezone": timezone}
    (config_dir / "site.yaml").write_text(yaml.safe_dump(site_doc), encoding="utf-8")
    (config_dir / "devices.yaml").write_text(
        yaml.safe_dump({"devices": [dict(d) for d in devices]}), encoding="utf-8"
    )
    (config_dir / "gateway.yaml").write_text(yaml.safe_dump(dict(gateway or {})), encoding="utf-8")
