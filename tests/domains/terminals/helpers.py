"""Test helpers of the terminals domain: the shipped messages and a way to mutate them."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
OASIS_EXAMPLES = tuple(sorted(DATA.glob("oasis-example*.xml")))
HANOI_EXAMPLE = DATA / "hanoi-flood.xml"


def read(path: Path) -> str:
    """Return a message's text."""
    return path.read_text(encoding="utf-8")


def mutate(text: str, old: str, new: str) -> bytes:
    """Replace one exact fragment of a message (it must occur once) and return the UTF-8 bytes."""
    assert text.count(old) == 1, f"the fragment {old!r} must occur once"
    return text.replace(old, new).encode("utf-8")
