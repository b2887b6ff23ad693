"""Retention of the sensors' history per device type (docs/operations-retention.md)."""
