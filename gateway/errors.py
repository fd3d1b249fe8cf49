"""Every error the gateway raises, under one base class and grouped by what the caller does.

- :class:`BadInput`: a file, option or configuration the operator must fix (CLI exit 2);
- :class:`CentreUnavailable`, :class:`OutboxError`: an outage or a local disk problem; the
  gateway retries, the operator may need to look at the machine;
- :class:`CentreRejected`, :class:`CommandFailed`, :class:`SyncError`: the other side refused
  or the work cannot go on; reported with what to do.

Device-level failures stay :class:`drivers.errors.DriverError` (``WrongDevice`` is one), so the
device worker handles them like every driver's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drivers.errors import DriverError


class GatewayError(Exception):
    """Base class of the gateway's own errors."""


class BadInput(GatewayError, ValueError):
    """Input the operator must fix; the message says where and what."""


@dataclass(frozen=True, slots=True)
class Problem:
    key: str  # key path, e.g. devices[2].settings.port ("" = the whole file)
    message: str  # what is wrong / what is expected


class ConfigError(BadInput):
    """One configuration file is unusable; ``problems`` lists everything found in it."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = [
            f"{path}: {p.key}: {p.message}" if p.key else f"{path}: {p.message}"
            for p in self.problems
        ]
        super().__init__("\n".join(lines))


class PolicyFileError(BadInput):
    """A policy YAML file is missing or malformed; the message says where and what."""


class DemandFileError(BadInput):
    """A demand file is missing, malformed or names an unknown shift; the message says where."""


class FileInputError(BadInput):
    """A CSV file cannot be read as specified; the message names file:line and the fix."""


class ExportFormatError(BadInput):
    """The output path has no supported suffix."""


class OutboxError(GatewayError):
    """The outbox file cannot be opened or written. Check the var_dir folder and disk space."""


class UploadError(GatewayError):
    """Base class of upload failures."""


class CentreUnavailable(UploadError):
    """The centre did not answer or answered 5xx. Retry later."""


class CentreRejected(UploadError):
    """The centre refused the batch (4xx). ``bad_indexes`` names the refused punches, if known."""

    def __init__(self, message: str, bad_indexes: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.bad_indexes = bad_indexes or {}


class CommandFailed(GatewayError):
    """A devices command cannot go on; the message says why and what to do."""


class SyncError(GatewayError):
    """A user-sync plan cannot be made (unknown site, device without a site)."""


class WrongDevice(DriverError):
    """The address answered with another serial number than the configured one."""


class PeopleConfigError(BadInput):
    """config/risk.yaml or config/people/*.yaml is unusable; the message names file and key."""


class AlertDeliveryFailed(GatewayError):
    """The risk-alert webhook did not take the alert (no answer, or not 2xx). Retried later."""


class EditRefused(GatewayError):
    """A roster edit breaks a `block` rule; a manager may override it with a reason."""
