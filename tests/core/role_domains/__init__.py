"""Tiny domains whose roles and permissions do not fit with identity's (start-up must refuse them)."""
