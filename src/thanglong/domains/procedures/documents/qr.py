"""QR codes that link a printed result to its public tracking page."""

from __future__ import annotations

import io

import segno

# Level M survives a smudged or folded print (15 % of modules) while keeping a tracking URL small.
ERROR_LEVEL = "m"


def qr_matrix(url: str) -> list[list[bool]]:
    """Return the QR symbol of a URL as rows of dark (True) and light modules, without quiet zone."""
    code = segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)
    return [[bool(cell) for cell in row] for row in code.matrix]


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """Return the QR symbol as a 1-bit PNG with the standard 4-module quiet zone."""
    code = segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
