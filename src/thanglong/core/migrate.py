"""Run the one Alembic history programmatically (upgrade, check, heads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from thanglong.core.spatial import alembic_include_object, register_postgis_reflection
from thanglong.core.timeseries.partitions import is_partition_table


def include_object_for(dialect_name: str) -> Callable[..., bool]:
    """Return Alembic's include_object hook: PostGIS's own tables and the time series' daily partitions
    (made at run time, not by migrations) stay out of comparisons."""
    spatial = alembic_include_object(dialect_name)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and reflected and name is not None and is_partition_table(name):
            return False
        return spatial(obj, name, type_, reflected, compare_to)

    return include


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", "thanglong:migrations")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to a revision, on the given engine's connection."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def heads(engine: Engine) -> list[str]:
    """Return the head revisions of the history."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    return list(ScriptDirectory.from_config(cfg).get_heads())


def current(engine: Engine) -> str | None:
    """Return the revision the database is at (None on an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending_model_changes(engine: Engine) -> list[object]:
    """Compare models with the migrated database; an empty list means they agree."""
    from thanglong.migrations.models import target_metadata  # noqa: PLC0415 - loads every domain's models

    register_postgis_reflection()
    opts = {
        "compare_type": True,
        "render_as_batch": engine.dialect.name == "sqlite",
        "include_object": include_object_for(engine.dialect.name),
    }
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(ctx, target_metadata()))
