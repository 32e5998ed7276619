"""Pure-Python domain: enums, typed ids, errors and progress/cancel protocol."""
