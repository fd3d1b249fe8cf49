"""Payroll in the gateway: file mode for clerks, pay runs over the store, exports, webhook."""
