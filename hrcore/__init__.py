"""HR store (SQLAlchemy 2.0) and the pure computations on it (attendance, payroll, risk)."""
