"""The enabled domains as THANGLONG_DOMAINS lists them, read without building the Settings object."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

DEFAULT_DOMAINS = ("identity", "notify", "payments", "procedures", "operations", "terminals", "traffic")
ENV_NAME = "THANGLONG_DOMAINS"


def domains_from_environment(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """Return the domain entries the environment enables, or None when only Settings can tell.

    Settings (pydantic-settings) reads the variable whatever its case, as a JSON list of strings. The
    command line reads it here to find a domain's command without importing pydantic (a tenth of a
    second); a value this reader does not recognise (bad JSON, not a list of strings, two spellings)
    gets None, and the caller builds Settings, which refuses it with its own message.
    """
    env = os.environ if environ is None else environ
    values = [value for key, value in env.items() if key.upper() == ENV_NAME]
    if not values:
        return list(DEFAULT_DOMAINS)
    if len(values) > 1:
        return None
    try:
        parsed = json.loads(values[0])
    except ValueError:
        return None
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        return None
    return parsed
