"""Read a stamp of the old single Alembic history as the per-domain branches it stands for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Until the history was split into one branch per domain, every revision followed the one before it in
# this order, and a database's alembic_version held the single newest one. The ids were kept: the same
# files now sit in their domains' branches, so only the stamp needs reading differently.
LINEAR_HISTORY = (
    "core_0001",
    "identity_0001",
    "notify_0001",
    "payments_0001",
    "procedures_0001",
    "procedures_0002",
    "procedures_0003",
    "core_0002",
    "core_0003",
    "core_0006",
    "core_0007",
    "core_0005",
    "core_0004",
    "procedures_0004",
)


def branch_of(revision: str) -> str:
    """Return the branch of an old revision id (`<domain>_NNNN`)."""
    return revision.rpartition("_")[0]


def applied_before(revision: str) -> dict[str, str]:
    """Return, per branch, the newest revision the old history had applied once it reached `revision`."""
    done = LINEAR_HISTORY[: LINEAR_HISTORY.index(revision) + 1]
    newest: dict[str, str] = {}
    for rev in done:
        newest[branch_of(rev)] = rev
    return newest


def translate(rows: Sequence[str], tables: Iterable[str]) -> tuple[str, ...] | None:
    """Return the per-branch stamp that an old single-row stamp stands for, or None if `rows` is not one.

    A database stamped per branch with only the kernel applied also holds a single core row. The old
    reading is taken only when every domain it adds has tables in the database (tables carry their
    domain's name as prefix), so such a database is left as it is.
    """
    if len(rows) != 1 or rows[0] not in LINEAR_HISTORY:
        return None
    newest = applied_before(rows[0])
    added = [branch for branch in newest if branch != branch_of(rows[0])]
    if not added:
        return None
    names = list(tables)
    if not all(any(name.startswith(f"{branch}_") for name in names) for branch in added):
        return None
    return tuple(sorted(newest.values()))
