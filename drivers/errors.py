"""Driver errors, split by what the caller can do about them.

- :class:`DeviceUnreachable`: transient; the gateway retries with backoff.
- :class:`AuthRejected`: an operator must fix credentials / comm key.
- :class:`ProtocolViolation`: the device (or a file) said something we cannot parse; report it.
- :class:`CapabilityNotSupported`: the caller asked for something this family cannot do.
- :class:`DriverConfigError`: the driver's configuration is invalid.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base class of every error a driver raises."""


class DeviceUnreachable(DriverError):
    """The device did not answer (timeout, refused, reset). Retry later."""

    def __init__(self, host: str, port: int | None, reason: str) -> None:
        self.host = host
        self.port = port
        self.reason = reason
        where = f"{host}:{port}" if port is not None else host
        super().__init__(f"device {where} unreachable: {reason}")


class AuthRejected(DriverError):
    """The device refused our credentials (password, comm key, digest auth)."""


class ProtocolViolation(DriverError):
    """The peer sent bytes or text that break the protocol (bad checksum, truncated packet)."""


class CapabilityNotSupported(DriverError):
    """The driver family does not support the requested operation."""

    def __init__(self, family: str, capability: str) -> None:
        self.family = family
        self.capability = capability
        super().__init__(f"driver family {family!r} does not support {capability!r}")


class DriverConfigError(DriverError):
    """The configuration given to a driver is invalid."""


class BadRecord(ProtocolViolation):
    """One record of an import file could not be parsed."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source}:{line}: {reason}")


class BadRecords(ProtocolViolation):
    """Some records of an import file could not be parsed; ``errors`` lists every one of them.

    ``good`` holds the punches of the lines that did parse, so a caller may import those
    knowingly (``--skip-bad``); by default nothing of the file is used.
    """

    def __init__(self, source: str, errors: list[BadRecord], good: list[object]) -> None:
        self.source = source
        self.errors = errors
        self.good = good
        first = errors[0] if errors else None
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{source}: {len(errors)} malformed record(s); first: {first}{more}")
