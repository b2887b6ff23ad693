"""Autogenerate a migration: python scripts/new_migration.py REV_ID "domain: message" [DOWN_REV]."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from thanglong.core.db import make_engine
from thanglong.core.migrate import alembic_config, upgrade


def main() -> None:
    """Upgrade a scratch SQLite database to head, then diff the models against it."""
    rev_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
        upgrade(make_engine(url))
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
