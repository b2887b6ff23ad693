"""A process that receives one dossier, commits, says so on stdout and waits to be killed.

Run by test_status_notice_durability as `python -m tests.domains.procedures.status_writer URL DATA_DIR
DOSSIER_ID OFFICER_ID`: it runs no job, so whatever the commit queued is all that is left of it.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import principal
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import make_settings
from thanglong.domains.identity import services as identity_services
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction


def main() -> None:
    """Receive the dossier as the officer, commit, print the dossier code, then wait forever."""
    url, data_dir, dossier_id, officer_id = sys.argv[1:5]
    platform = build_platform(make_settings(Path(data_dir), url, domains=DOMAINS))
    with platform.uow() as uow:
        officer = identity_services.get_user(uow, uuid.UUID(officer_id))
    assert officer is not None
    with platform.uow() as uow:
        dossier = services.act(
            uow,
            principal=principal(platform, officer),
            ref=uuid.UUID(dossier_id),
            action=DossierAction.RECEIVE,
        )
    sys.stdout.write(f"committed {dossier.code}\n")
    sys.stdout.flush()
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
