"""Payroll core: computed hours and pay data in, a traced payslip out.

Pure computations on frozen types (like :mod:`hrcore.attendance`): no Session, no I/O apart
from :mod:`hrcore.payroll.templates`, which reads the city templates' YAML. Money is
``Decimal`` built from strings, rounded once where the rule says, half up.
"""
