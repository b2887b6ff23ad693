"""Alarms: rules over sensor series, their evaluation, escalation, acknowledgement and clearing."""
