"""Migration procedures_0005: after-commit jobs still to run follow their handlers into dossiers/."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select, update

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import make_world
from tests.domains.procedures.test_reactions import NOTICE_JOB, _act, _applicant, _notices, _submit
from thanglong.core import jobs, migrate
from thanglong.core.db import make_engine
from thanglong.core.models import Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings, run_jobs
from thanglong.domains.procedures import MANIFEST
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S

MIGRATIONS = Path(__file__).resolve().parents[3] / "src/thanglong/domains/procedures/migrations"
NEW = NOTICE_JOB
# The path the notice's handler had before the move, as jobs written then carry it.
OLD = "event:thanglong.domains.procedures" + ".reactions:notify_applicant"


def _revision() -> ModuleType:
    [path] = MIGRATIONS.glob("procedures_0005_*.py")
    spec = importlib.util.spec_from_file_location("procedures_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def committing(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own migrated database whose units of work really commit."""
    url = create_database(tmp_path, "split_migration")
    engine = make_engine(url)
    migrate.upgrade(engine)
    platform = build_platform(make_settings(tmp_path, url, domains=DOMAINS), engine=engine)
    yield platform
    platform.close()
    drop_database(url)


def _notice_jobs(platform: Platform) -> list[Job]:
    with platform.session_factory() as session:
        found = list(session.scalars(select(Job).where(Job.kind.in_([OLD, NEW])).order_by(Job.id)))
        session.expunge_all()
    return found


def _handler_paths_of(found: list[Job]) -> list[tuple[str, str, str, str]]:
    """Return each job's status, kind, payload handler and the handler its idempotency key ends with."""
    return [
        (
            j.status,
            j.kind,
            j.payload["handler"],
            (j.idempotency_key or "").removeprefix(f"{j.payload['event_id']}:"),
        )
        for j in found
    ]


def test_the_revision_renames_exactly_the_manifests_after_commit_handlers() -> None:
    moved = _revision().MOVED
    after_commit = {h.handler for h in MANIFEST.event_handlers if h.after_commit}
    # Declared after the revision, in the module the notices moved to: nothing of theirs was queued before.
    added_since = {
        "thanglong.domains.procedures.dossiers.reactions:notify_agency_of_new_dossier",
        "thanglong.domains.procedures.dossiers.reactions:notify_agency_of_transfer",
        "thanglong.domains.procedures.dossiers.reactions:notify_consulted_agency",
    }
    assert set(moved.values()) == after_commit - added_since
    assert OLD.removeprefix("event:") in moved


def test_notices_still_to_run_take_the_new_path_and_run(committing: Platform) -> None:
    platform = committing
    world = make_world(platform)
    applicant = _applicant(platform)
    dossier = _submit(platform, world, applicant)
    code = _act(platform, world.officer, dossier.id, A.RECEIVE).code
    assert run_jobs(platform, kinds=[NEW]) == 1
    _act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    _act(platform, world.head, dossier.id, A.APPROVE)
    old, new = OLD.removeprefix("event:"), NEW.removeprefix("event:")

    # Back to the code before the move: the two queued notices take the old path; the done one stays.
    migrate.downgrade(platform.engine, "procedures_0004")
    assert _handler_paths_of(_notice_jobs(platform)) == [
        ("done", NEW, new, new),
        ("queued", OLD, old, old),
        ("queued", OLD, old, old),
    ]
    # One of them failed for good before the upgrade: an operator may still retry it.
    with platform.session_factory() as session:
        session.execute(update(Job).where(Job.id == _notice_jobs(platform)[-1].id).values(status="dead"))
        session.commit()

    migrate.upgrade(platform.engine)
    found = _notice_jobs(platform)
    assert _handler_paths_of(found) == [
        ("done", NEW, new, new),
        ("queued", NEW, new, new),
        ("dead", NEW, new, new),
    ]
    with platform.uow() as uow:
        assert jobs.retry(uow.session, now=uow.clock(), ids=[found[-1].id]) == 1
        uow.commit()
    assert run_jobs(platform, kinds=[NEW]) == 2
    templates = ("procedures.dossier_received", "dossier_status_changed", "procedures.result_ready")
    told = [
        n.subject.removeprefix(f"Hồ sơ {code}").strip(" :")
        for key in templates
        for n in _notices(platform, applicant.id, key)
        if n.channel == "inapp"
    ]
    assert told == ["đã được tiếp nhận", S.PROCESSING.label_vi, "đã có kết quả"]
