"""Scheduler errors, split by what the caller can do about them."""

from __future__ import annotations


class SchedulerError(Exception):
    """Base class of every error the roster solver raises."""


class InvalidProblem(SchedulerError):
    """The input refers to something that does not exist or is out of range; fix the input."""


class SolverDisagreement(SchedulerError):
    """The solver's objective differs from the independent evaluator's: a bug, report it."""
