"""Eclipse SUMO as the PyPI wheels provide it: SUMO_HOME, programs and tools (never a system install)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from thanglong.core.errors import InvalidInput


def home() -> Path:
    """Return SUMO_HOME of the eclipse-sumo wheel (and export it for sumolib and the tools)."""
    try:
        import sumo  # noqa: PLC0415  (a large package: imported by the commands that run SUMO)
    except ImportError:
        raise InvalidInput(
            "traffic.sumo.missing",
            "Chưa cài Eclipse SUMO (gói eclipse-sumo)",
            "Eclipse SUMO is not installed (the eclipse-sumo package)",
        ) from None
    path = Path(sumo.SUMO_HOME)
    os.environ["SUMO_HOME"] = str(path)
    return path


def binary(name: str) -> str:
    """Return the path of a SUMO program (sumo, netconvert, netgenerate, duarouter)."""
    path = home() / "bin" / (f"{name}.exe" if os.name == "nt" else name)
    if not path.is_file():
        raise InvalidInput(
            "traffic.sumo.no_binary",
            f"Không thấy chương trình SUMO {name}",
            f"SUMO program {name} not found at {path}",
        )
    return str(path)


def tool(script: str) -> list[str]:
    """Return the command that runs one of SUMO's Python tools with this interpreter."""
    return [sys.executable, str(home() / "tools" / script)]
