"""Modbus punch terminals (TCP and RTU, pymodbus): a record queue in registers."""
