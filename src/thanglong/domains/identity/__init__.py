"""Accounts, roles, agencies, sessions, API keys and single sign-on for city systems."""

from thanglong.domains.identity.manifest import MANIFEST

__all__ = ["MANIFEST"]
