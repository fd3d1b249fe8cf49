"""Errors of the people core, split by what the caller can do."""

from __future__ import annotations


class PeopleError(Exception):
    """Base class of every error the people core raises."""


class ConfigInvalid(PeopleError):
    """A YAML file (column mapping, scorecard, ladder) is not valid; the message names the
    file, the key and what is expected. Fix the file."""


class FileUnreadable(PeopleError):
    """An import file cannot be read (missing, not CSV/XLSX, no header row). Fix the file."""
