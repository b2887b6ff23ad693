"""Autogenerate the next revision of a domain's branch: python scripts/new_migration.py DOMAIN "domain: what".

DOMAIN is `core`, a domain of the tree (`procedures`) or an out-of-tree domain's dotted package
(`tests.example_domain.tasklist`). The domains enabled by THANGLONG_DOMAINS (default: the platform's) are
migrated on a scratch SQLite database, DOMAIN added if it is not among them; the models of DOMAIN are then
compared with it and the difference is written to DOMAIN's folder as `<name>_NNNN`, the next number of its
branch. A domain's first revision starts its branch (branch label: its name) and depends on the newest
revisions of the kernel and of the domains its manifest depends on. Review the file by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib import resources
from pathlib import Path

from alembic import command

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.manifest import load_manifest
from thanglong.core.migration_history import CORE, DOMAIN_FOLDER, History, MigrationError


def _entries(domain: str) -> list[str]:
    """Return the enabled domains with DOMAIN among them, creating its migrations folder if it has none."""
    entries = list(Settings().domains)
    if domain == CORE:
        return entries
    manifest = load_manifest(domain)
    if manifest.migrations is None:
        sys.exit(f'error: {manifest.name}: declare migrations="<package>" in its manifest first')
    Path(str(resources.files(manifest.migrations).joinpath(DOMAIN_FOLDER))).mkdir(exist_ok=True)
    if manifest.name not in {load_manifest(e).name for e in entries}:
        entries.append(domain)
    return entries


def next_revision_id(hist: History, name: str) -> str:
    """Return the id after the branch's highest one (`<name>_0001` for a new branch)."""
    numbers = [int(r.id.rpartition("_")[2]) for r in hist.of_branch(name)]
    return f"{name}_{max(numbers, default=0) + 1:04d}"


def main() -> None:
    """Migrate a scratch database to every head; write what DOMAIN's models add as its next revision."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("domain", help="core, a domain's name, or an out-of-tree domain's dotted package")
    parser.add_argument("message", help='what the revision does, e.g. "procedures: appointment slots"')
    args = parser.parse_args()
    entries = _entries(args.domain)
    name = args.domain.rpartition(".")[2]
    try:
        hist = migrate.history(entries)
    except MigrationError as exc:
        sys.exit(f"error: {exc}")
    branch = hist.branch(name)
    rev_id = next_revision_id(hist, name)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        migrate.upgrade(engine, domains=entries)
        # Alembic compares against its own stamp of the scratch database, which alembic_run gives it.
        with migrate.alembic_run(engine, hist) as cfg:
            cfg.attributes["table_scope"] = migrate.table_scope(hist, [name])
            if hist.of_branch(name):
                script = command.revision(
                    cfg,
                    message=args.message,
                    autogenerate=True,
                    rev_id=rev_id,
                    head=f"{name}@head",
                    version_path=str(branch.location),
                )
            else:
                needed = [h for b in (CORE, *branch.depends_on) for h in hist.heads(b)]
                script = command.revision(
                    cfg,
                    message=args.message,
                    autogenerate=True,
                    rev_id=rev_id,
                    head="base",
                    branch_label=name,
                    version_path=str(branch.location),
                    depends_on=sorted(hist.minimal(needed)),
                )
        engine.dispose()
    written = script[0] if isinstance(script, list) else script
    print(f"wrote {written.path if written else rev_id}: review it by hand")


if __name__ == "__main__":
    main()
