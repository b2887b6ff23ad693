"""Tests of the alarms capability."""
