"""Column helpers shared by the models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def code_column_type(enum_cls: type[StrEnum]) -> Enum:
    """Store a StrEnum by value as VARCHAR with a CHECK-free portable type."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda cls: [m.value for m in cls],
    )
