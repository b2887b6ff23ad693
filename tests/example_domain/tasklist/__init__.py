"""Tasklist: a to-do list for ward officers, the worked example of a domain (see CONTRIBUTING.md)."""

from tests.example_domain.tasklist.manifest import MANIFEST

__all__ = ["MANIFEST"]
