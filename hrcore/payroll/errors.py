"""Errors of the payroll core, split by what the caller does about them."""

from __future__ import annotations


class PayrollError(Exception):
    """Base of every payroll error; the message says what is wrong and what to do."""


class InvalidPayInput(PayrollError):
    """An amount, a month or an employee's pay data is missing or out of range: fix the data."""


class InvalidClaim(PayrollError):
    """A special additional deduction claim breaks a rule; the message names the rule."""


class UnknownCity(PayrollError):
    """No social-insurance template for the city (or none in force on the date)."""


class TemplateError(PayrollError):
    """A city template file is malformed; the message names the file and the key."""
