"""Robot listener: send the platform's API key with every request the suite makes to the platform.

The suite calls RequestsLibrary's session-less keywords with its own headers; rather than edit every
keyword of the vendored suite, the runner loads this listener, which adds `Authorization: Bearer` to the
requests whose URL starts with THANGLONG_ETSI_API_URL (the key comes in THANGLONG_ETSI_API_KEY, not on
the command line).
"""

from __future__ import annotations

import os
from typing import Any

import requests


class etsi_auth:  # noqa: N801 - robot loads a listener class named as its module
    """Patch requests so that calls to the platform carry the API key."""

    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self) -> None:
        prefix = os.environ["THANGLONG_ETSI_API_URL"]
        header = f"Bearer {os.environ['THANGLONG_ETSI_API_KEY']}"
        original = requests.Session.request

        def request(session: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if str(url).startswith(prefix):
                headers = dict(kwargs.get("headers") or {})
                headers.setdefault("Authorization", header)
                kwargs["headers"] = headers
            return original(session, method, url, *args, **kwargs)

        requests.Session.request = request  # type: ignore[method-assign]
