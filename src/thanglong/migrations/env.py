"""Alembic environment: batch mode on SQLite; the branches and tables come from core.migrate."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import MetaData, create_engine

from thanglong.core.db import UtcDateTime
from thanglong.core.migrate import TableScope, include_object_for
from thanglong.core.migration_history import History
from thanglong.core.spatial import Geometry, register_postgis_reflection
from thanglong.migrations.models import load_models

config = context.config


def run() -> None:
    """Run migrations on the given connection or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _configure_and_run(conn)
        engine.dispose()
    else:
        _configure_and_run(connection)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the platform's UTC type as a plain aware DateTime and its geometry type by name."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, Geometry):
        autogen_context.imports.add("from thanglong.core.spatial import Geometry")
        return f"Geometry({obj.geometry_type!r}, srid={obj.srid})"
    return False


def _configure_and_run(connection: object) -> None:
    register_postgis_reflection()
    dialect_name: str = connection.dialect.name  # type: ignore[attr-defined]
    # Only autogenerate (scripts/new_migration.py) compares models, limited to one branch's tables.
    scope: TableScope | None = config.attributes.get("table_scope")
    history: History = config.attributes["history"]
    metadata: MetaData | None = load_models(history) if scope is not None else None
    context.configure(
        include_object=include_object_for(dialect_name, scope),
        render_item=_render_item,
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=dialect_name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
