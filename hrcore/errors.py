"""Store errors, split by what the caller can do about them."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the HR store raises."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or opened. Check SHIFTGATE_DATABASE_URL."""


class SchemaOutdated(StoreError):
    """The database schema is behind the code. Run `shiftgate db upgrade`."""


class NotFound(StoreError):
    """A referenced row (site, employee, device, ...) does not exist."""


class InvalidData(StoreError):
    """Input would store something inconsistent; nothing was written."""
