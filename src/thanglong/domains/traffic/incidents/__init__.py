"""Incident detection on detector data: the California algorithms and a learned detector."""
