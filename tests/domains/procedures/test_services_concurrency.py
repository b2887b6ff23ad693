"""Concurrent receipt on a real database: dossier codes never repeat (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import VALID_FORM, make_world
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.codes import DEFAULT_FORMAT
from thanglong.domains.procedures.dossiers.states import DossierAction


@pytest.fixture
def real_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own migrated database whose units of work really commit."""
    with committing_platform(tmp_path, "proc_conc", domains=DOMAINS) as platform:
        yield platform


def test_concurrent_receipt_never_duplicates_a_code(real_platform: Platform) -> None:
    world = make_world(real_platform)
    ids = []
    for _ in range(24):
        with real_platform.uow() as uow:
            ids.append(
                services.submit_dossier(
                    uow,
                    principal=world.citizen,
                    procedure_code=world.procedure_code,
                    receiving_agency_id=world.agency_id,
                    form_data=dict(VALID_FORM),
                ).id
            )

    def receive(dossier_id: object) -> str:
        with real_platform.uow() as uow:
            dto = services.act(uow, principal=world.officer, ref=dossier_id, action=DossierAction.RECEIVE)  # type: ignore[arg-type]
        return dto.code or ""

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(receive, ids))
    assert len(set(codes)) == len(ids)
    assert sorted(DEFAULT_FORMAT.parse(c).sequence for c in codes) == list(range(1, len(ids) + 1))
