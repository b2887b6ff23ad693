"""Migration procedures_0080: dossiers filed before it get a tracking secret each."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import make_world
from tests.domains.procedures.test_tracking import _received
from thanglong.core import migrate
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.procedures.dossiers.tracking_secret import SECRET_PATTERN
from thanglong.domains.procedures.models import Dossier, DossierStep


def test_existing_dossiers_get_a_secret_each(tmp_path: Path) -> None:
    with committing_platform(tmp_path, "tracking_migration", domains=DOMAINS) as platform:
        world = make_world(platform)
        made = _received(platform, world, count=3)
        with platform.session_factory() as session:
            steps = session.scalar(select(func.count()).select_from(DossierStep))
        assert steps == 6
        migrate.downgrade(platform.engine, "procedures_0005")
        assert migrate.state(platform.engine).branch("procedures").current == ("procedures_0005",)
        migrate.upgrade(platform.engine)
        with platform.session_factory() as session:
            secrets = {
                row.id: row.tracking_secret
                for row in session.execute(select(Dossier.id, Dossier.tracking_secret))
            }
        assert set(secrets) == {d.id for d in made}
        assert all(re.fullmatch(SECRET_PATTERN, s) for s in secrets.values())
        assert len(set(secrets.values())) == 3
        # Nothing hanging off the dossiers went with them (a table copy on SQLite would cascade).
        with platform.session_factory() as session:
            assert session.scalar(select(func.count()).select_from(DossierStep)) == steps
        # New ones, not the old ones: the column was dropped on the way down.
        assert not {d.tracking_secret for d in made} & set(secrets.values())
