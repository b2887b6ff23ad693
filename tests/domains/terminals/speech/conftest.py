"""espeak-ng for the synthesis tests: required, as CI installs it; skipped only when asked in writing."""

from __future__ import annotations

import os
import shutil

import pytest

ALLOW_MISSING = "THANGLONG_TEST_ALLOW_MISSING_ESPEAK"


@pytest.fixture
def espeak_ng() -> str:
    """Return espeak-ng's path; fail when it is missing, unless THANGLONG_TEST_ALLOW_MISSING_ESPEAK=1."""
    found = shutil.which("espeak-ng")
    if found is not None:
        return found
    reason = (
        "espeak-ng is missing: install it with Debian's `apt-get install espeak-ng` "
        f"(or set {ALLOW_MISSING}=1 to skip the synthesis tests on a machine without it)"
    )
    if os.environ.get(ALLOW_MISSING) == "1":
        pytest.skip(reason)
    pytest.fail(reason)
