"""A status change's notice survives the death of the process that made the change (SIGKILL).

The writer commits the change and is killed before any job runs; a fresh worker then delivers the
applicant's in-app message and e-mail (to a real local SMTP server). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.domains.notify.conftest import SmtpServer, smtp_server
from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import VALID_FORM, make_world
from tests.domains.procedures.test_reactions import NOTICE_JOB, _applicant
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.jobs import JobRunner
from thanglong.core.models import Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.uow import RELAY_KIND
from thanglong.domains.notify import api as notify
from thanglong.domains.notify.models import NotifyMessage
from thanglong.domains.procedures.dossiers import services

__all__ = ["smtp_server"]
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own, shared by the processes of the test."""
    url = create_database(tmp_path, "notice_kill")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_database(url)


def _platform(tmp_path: Path, url: str, **settings: object) -> Platform:
    return build_platform(make_settings(tmp_path, url, domains=DOMAINS, **settings))


def _receive_then_die(url: str, data_dir: Path, dossier_id: str, officer_id: str) -> str:
    """Run the writer process until it has committed, then SIGKILL it; return the dossier code."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    log = data_dir / "writer.log"
    command = [sys.executable, "-m", "tests.domains.procedures.status_writer", url, str(data_dir)]
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [*command, dossier_id, officer_id],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        ) as writer,
    ):
        try:
            assert writer.stdout is not None
            line = writer.stdout.readline()
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(30)
    assert line.startswith("committed "), log.read_text()
    assert writer.returncode == -signal.SIGKILL
    return line.split()[1]


def test_the_notice_of_a_committed_change_arrives_after_the_writer_is_killed(
    tmp_path: Path, database: str, smtp_server: SmtpServer
) -> None:
    setup = _platform(tmp_path, database)
    world = make_world(setup)
    applicant = _applicant(setup, email="tran.mai@example.vn")
    with setup.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=applicant,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )
    setup.close()

    code = _receive_then_die(database, tmp_path, str(dossier.id), str(world.officer.id))

    worker = _platform(tmp_path, database, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    try:
        with worker.uow() as uow:
            [notice_job] = uow.session.scalars(select(Job).where(Job.kind == NOTICE_JOB)).all()
            assert notice_job.status == "queued", "the writer died before running it"
            notice_id = notice_job.id
            assert uow.session.scalars(select(NotifyMessage)).all() == [], "nothing was sent before the kill"
        runner = JobRunner(worker, worker.job_kinds)
        kinds = [k for k in worker.job_kinds if k != RELAY_KIND]
        for _ in range(10):
            if runner.run_once(kinds=kinds).claimed == 0:
                break
        with worker.uow() as uow:
            [item] = notify.list_inbox(uow, applicant.id)  # type: ignore[arg-type]
            statuses = {(m.channel, m.status) for m in uow.session.scalars(select(NotifyMessage))}
            assert uow.session.get(Job, notice_id).status == "done"  # type: ignore[union-attr]
    finally:
        worker.close()
    assert item.subject == f"Hồ sơ {code} đã được tiếp nhận"
    assert statuses == {("inapp", "sent"), ("email", "sent")}
    assert smtp_server.inbox.received.wait(10)
    [(envelope, mail)] = smtp_server.inbox.messages
    assert envelope.rcpt_tos == ["tran.mai@example.vn"]
    assert mail["Subject"] == f"Hồ sơ {code} đã được tiếp nhận"
    assert code in mail.get_content()
