"""Run the migrations programmatically: one Alembic branch per enabled domain (see docs/migrations.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from thanglong.core.domain_list import DEFAULT_DOMAINS
from thanglong.core.manifest import load_manifests
from thanglong.core.migration_history import History, MigrationError, branches_for, load_history
from thanglong.core.migration_legacy import translate
from thanglong.core.spatial import alembic_include_object, register_postgis_reflection
from thanglong.core.timeseries.partitions import is_partition_table

VERSION_TABLE = "alembic_version"
_version = sa.table(VERSION_TABLE, sa.column("version_num", sa.String(32)))


def history(domains: Sequence[str] | None = None) -> History:
    """Return the kernel's and the enabled domains' branches (DEFAULT_DOMAINS when none are given)."""
    entries = list(DEFAULT_DOMAINS if domains is None else domains)
    return load_history(branches_for(entries, load_manifests(entries)))


@dataclass(frozen=True)
class TableScope:
    """Which tables a comparison of models and schema looks at."""

    owners: Mapping[str, str]  # table -> the enabled branch whose models declare it
    modelled: frozenset[str]  # every table an imported model declares, enabled or not
    branches: frozenset[str]  # the branches compared
    ignored_prefixes: tuple[str, ...] = ()  # tables of domains stamped in the database but not enabled
    stray_prefixes: tuple[str, ...] | None = None  # tables no model declares: only these (None: all)

    def includes(self, name: str, reflected: bool) -> bool:
        """Tell whether a table (of the models, or found in the database) is compared."""
        owner = self.owners.get(name)
        if owner is not None:
            return owner in self.branches
        if not reflected or name in self.modelled or name.startswith(self.ignored_prefixes):
            return False
        return self.stray_prefixes is None or name.startswith(self.stray_prefixes)


def include_object_for(dialect_name: str, scope: TableScope | None = None) -> Callable[..., bool]:
    """Return Alembic's include_object hook: PostGIS's own tables, the time series' daily partitions (made
    at run time, not by migrations) and the tables outside the scope stay out of comparisons."""
    spatial = alembic_include_object(dialect_name)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and name is not None:
            if reflected and is_partition_table(name):
                return False
            if scope is not None and not scope.includes(name, reflected):
                return False
        return spatial(obj, name, type_, reflected, compare_to)

    return include


def table_scope(
    hist: History, branches: Sequence[str] | None = None, ignored: Sequence[str] = ()
) -> TableScope:
    """Return the scope comparing the given branches (all enabled ones by default)."""
    from thanglong.migrations.models import table_owners  # noqa: PLC0415 - loads the enabled domains' models

    owners, modelled = table_owners(hist)
    compared = frozenset(hist.names if branches is None else branches)
    return TableScope(
        owners=owners,
        modelled=modelled,
        branches=compared,
        ignored_prefixes=tuple(f"{name}_" for name in ignored),
        stray_prefixes=None if branches is None else tuple(f"{name}_" for name in compared),
    )


def alembic_config(url: str, hist: History) -> Config:
    """Return an Alembic config reading the revisions of the history's branches."""
    cfg = Config()
    cfg.set_main_option("script_location", "thanglong:migrations")
    cfg.set_main_option("path_separator", "os")
    locations = os.pathsep.join(str(path) for path in hist.locations)
    cfg.set_main_option("version_locations", locations.replace("%", "%%"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["history"] = hist
    return cfg


@dataclass(frozen=True)
class Stamp:
    """What the database's alembic_version says, read per branch."""

    branches: dict[str, tuple[str, ...]]  # enabled branch -> its newest applied revision(s)
    others: tuple[str, ...]  # rows of domains that are not enabled: kept as they are
    legacy: str | None  # the single row of the old linear history this stamp was read from

    @property
    def applied(self) -> list[str]:
        """Return the enabled branches' rows."""
        return [rev for revs in self.branches.values() for rev in revs]


def _rows(conn: Connection) -> list[str]:
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return []
    return sorted(conn.execute(sa.select(_version.c.version_num)).scalars())


def _write_rows(conn: Connection, rows: Sequence[str]) -> None:
    conn.execute(sa.delete(_version))
    if rows:
        conn.execute(sa.insert(_version), [{"version_num": rev} for rev in sorted(rows)])


def read_stamp(conn: Connection, hist: History) -> Stamp:
    """Read alembic_version per branch: one row per branch holding the branch's newest revision.

    An old single-row stamp is read as the branches it stands for (core.migration_legacy); rows of domains
    that are not enabled are set aside; a row of an enabled branch that its folder lacks is refused.
    """
    rows = _rows(conn)
    translated = translate(rows, sa.inspect(conn).get_table_names()) if len(rows) == 1 else None
    legacy = rows[0] if translated is not None else None
    known: list[str] = []
    others: list[str] = []
    for rev in translated or rows:
        owner = hist.owner_of_row(rev)
        if owner is None:
            others.append(rev)
        elif rev in hist.revisions:
            known.append(rev)
        else:
            raise MigrationError(
                f"the database is at {rev}, which the {owner!r} migrations here do not have: "
                "is this software older than the database?"
            )
    return Stamp(hist.per_branch(known), tuple(others), legacy)


@contextmanager
def alembic_run(engine: Engine, hist: History) -> Iterator[Config]:
    """Give Alembic its own stamp for the run (the fewest rows implying what is applied), then store the
    platform's (one row per branch, rows of domains not enabled put back), in one transaction."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False), hist)
    with engine.begin() as conn:
        stamp = read_stamp(conn, hist)
        if sa.inspect(conn).has_table(VERSION_TABLE):
            _write_rows(conn, sorted(hist.minimal(stamp.applied)))
        cfg.attributes["connection"] = conn
        yield cfg
        after = hist.per_branch(_rows(conn))
        if after or stamp.others:
            _write_rows(conn, [*(rev for revs in after.values() for rev in revs), *stamp.others])


def upgrade(engine: Engine, revision: str = "heads", *, domains: Sequence[str] | None = None) -> None:
    """Bring every enabled branch up to its head (or up to a revision) on the engine's database."""
    hist = history(domains)
    with alembic_run(engine, hist) as cfg:
        command.upgrade(cfg, "heads" if revision == "head" else revision)


def downgrade(engine: Engine, revision: str, *, domains: Sequence[str] | None = None) -> None:
    """Take the branch holding `revision` back to it (revisions that depend on what goes, go too)."""
    hist = history(domains)
    with alembic_run(engine, hist) as cfg:
        command.downgrade(cfg, revision)


@dataclass(frozen=True)
class BranchState:
    """Where one branch of the database stands."""

    name: str
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        """Tell whether the branch is fully applied."""
        return set(self.current) == set(self.heads)

    def line(self) -> str:
        """Describe the branch in one line."""
        current = ", ".join(self.current) or "-"
        where = "head" if self.at_head else f"head {', '.join(self.heads)}"
        return f"{self.name}: {current} ({where})"


@dataclass(frozen=True)
class SchemaState:
    """Where every enabled branch of the database stands, and the rows of domains not enabled."""

    branches: tuple[BranchState, ...]
    others: tuple[str, ...]
    legacy: str | None

    @property
    def at_heads(self) -> bool:
        """Tell whether every enabled branch is fully applied."""
        return all(b.at_head for b in self.branches)

    def branch(self, name: str) -> BranchState:
        """Return the state of one enabled branch by its domain's name (KeyError when not enabled)."""
        for item in self.branches:
            if item.name == name:
                return item
        raise KeyError(name)

    def problem(self) -> str | None:
        """Return the one-line reason a process must not start on this schema (None: it may)."""
        behind = [b.line() for b in self.branches if not b.at_head]
        if not behind:
            return None
        return f"database schema is not at its heads ({'; '.join(behind)}): run `thanglong db upgrade` first"

    def as_json(self) -> dict[str, object]:
        """Return the state as plain data."""
        return {
            "at_heads": self.at_heads,
            "branches": {b.name: {"current": list(b.current), "heads": list(b.heads)} for b in self.branches},
            "not_enabled": list(self.others),
            "legacy_stamp": self.legacy,
        }


def state(engine: Engine, *, domains: Sequence[str] | None = None) -> SchemaState:
    """Read where each enabled branch stands (an old single-row stamp is read, not rewritten)."""
    hist = history(domains)
    with engine.connect() as conn:
        stamp = read_stamp(conn, hist)
    branches = tuple(
        BranchState(b.name, stamp.branches.get(b.name, ()), hist.heads(b.name))
        for b in hist.branches
        if b.location is not None or b.name in stamp.branches
    )
    return SchemaState(branches, stamp.others, stamp.legacy)


def schema_problem(engine: Engine, *, domains: Sequence[str] | None = None) -> str | None:
    """Return why the enabled domains cannot run on this schema, in one line (None: they can)."""
    try:
        return state(engine, domains=domains).problem()
    except MigrationError as exc:
        return str(exc)


def heads(domains: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Return the head revision(s) of each enabled branch that has revisions."""
    hist = history(domains)
    return {name: hist.heads(name) for name in hist.names if hist.heads(name)}


def pending_model_changes(engine: Engine, *, domains: Sequence[str] | None = None) -> list[object]:
    """Compare the enabled branches' models with the migrated database; an empty list means they agree."""
    hist = history(domains)
    with engine.connect() as conn:
        stamp = read_stamp(conn, hist)
    ignored = sorted({o for rev in stamp.others if (o := rev.rpartition("_")[0])})
    scope = table_scope(hist, ignored=ignored)
    from thanglong.migrations.models import load_models  # noqa: PLC0415 - loads the enabled domains' models

    metadata = load_models(hist)
    register_postgis_reflection()
    opts = {
        "compare_type": True,
        "render_as_batch": engine.dialect.name == "sqlite",
        "include_object": include_object_for(engine.dialect.name, scope),
    }
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(ctx, metadata))
