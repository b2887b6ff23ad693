"""Import every model module so that the metadata is complete."""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData


def target_metadata() -> MetaData:
    """Import the kernel's and every domain's models; return the shared metadata."""
    from thanglong.core.db import Base  # noqa: PLC0415

    importlib.import_module("thanglong.core.models")
    importlib.import_module("thanglong.core.timeseries.models")
    # Domains are found by name at run time, so the kernel that calls this never imports them statically.
    domains = importlib.import_module("thanglong.domains")
    for info in pkgutil.iter_modules(domains.__path__):
        try:
            importlib.import_module(f"thanglong.domains.{info.name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"thanglong.domains.{info.name}.models":
                raise
    return Base.metadata
