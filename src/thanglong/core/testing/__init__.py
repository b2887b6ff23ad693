"""Pytest plugin and factory helpers shared by every domain's tests."""
