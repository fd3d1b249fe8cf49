"""Service settings: the only BaseSettings in shiftgate. Built once and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hrcore.db import default_database_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHIFTGATE_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the HR store; SQLite file under ./var by default.",
    )
    config_dir: Path = Field(default=Path("config"), description="Folder of site/device YAML.")
    var_dir: Path = Field(default=Path("var"), description="Folder for local state (outbox...).")
    secret_key: str | None = Field(
        default=None, description="Fernet key that encrypts device secrets in the store."
    )
    log_json: bool = Field(default=True, description="Emit JSON log lines.")
    api_token: str | None = Field(
        default=None,
        description="Bearer token gateways must send to POST punches here (none = no check).",
    )
    api_max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Largest request body the API reads."
    )
    cookie_secure: bool = Field(
        default=True,
        description="Mark the web UI's session cookie Secure (browsers then send it only over "
        "HTTPS, and over plain HTTP to localhost/127.0.0.1).",
    )
    risk_webhook_url: str | None = Field(
        default=None,
        description="URL that gets a JSON POST for each risk alert (an employee turned red).",
    )
    risk_watch_interval_s: float = Field(
        default=60.0,
        ge=0,
        description="Seconds between risk re-evaluations of employees with new punches (0 = off).",
    )
    payroll_webhook_url: str | None = Field(
        default=None, description="URL told when a pay period is locked (POST, JSON, signed)."
    )
    payroll_webhook_secret: str | None = Field(
        default=None, description="Shared secret of the payroll webhook's HMAC-SHA256 signature."
    )
