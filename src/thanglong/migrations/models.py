"""Import the models of the kernel and of the enabled domains; say which branch owns each table."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from thanglong.core.migration_history import History

CORE_MODEL_MODULES = ("thanglong.core.models", "thanglong.core.timeseries.models")


def load_models(history: History) -> MetaData:
    """Import the kernel's models and each enabled domain's `<package>.models`; return the shared metadata."""
    from thanglong.core.db import Base  # noqa: PLC0415

    for module in CORE_MODEL_MODULES:
        importlib.import_module(module)
    # Domains are found by name at run time, so the kernel that calls this never imports them statically.
    for branch in history.branches[1:]:
        try:
            importlib.import_module(f"{branch.package}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{branch.package}.models":
                raise
    return Base.metadata


def table_owners(history: History) -> tuple[dict[str, str], frozenset[str]]:
    """Return the enabled branch owning each table (by the module of its model), and every modelled table.

    Models of domains that are not enabled may be imported in the same process (tests enable different
    domains); their tables are modelled but owned by no enabled branch.
    """
    from thanglong.core.db import Base  # noqa: PLC0415

    load_models(history)
    packages = sorted(((b.package, b.name) for b in history.branches), key=lambda p: -len(p[0]))
    owners: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        module = mapper.class_.__module__
        owner = next((name for pkg, name in packages if module == pkg or module.startswith(f"{pkg}.")), None)
        if owner is not None:
            owners.update((table.name, owner) for table in mapper.tables)
    return owners, frozenset(Base.metadata.tables)
