"""Alembic migrations of the HR store (run via hrcore.migrate)."""
