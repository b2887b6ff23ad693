"""Fixtures of the announcement tests: espeak-ng for the spoken drafts, as the speech tests require it."""

from __future__ import annotations

from tests.domains.terminals.speech.conftest import espeak_ng

__all__ = ["espeak_ng"]
