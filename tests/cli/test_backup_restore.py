"""A restore from a backup made by the handbook's commands brings back dossiers, files and the audit chain.

The commands run as an operator runs them (`thanglong backup create|verify|restore`, `thanglong db check`,
`thanglong audit verify`, as subprocesses with only the environment the handbook sets), on SQLite and,
when THANGLONG_TEST_DATABASE_URL is set, on PostgreSQL with pg_dump and pg_restore.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.domains.identity.helpers import csrf_value
from thanglong.core import audit, migrate
from thanglong.core.audit_checkpoint import checkpoint
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform, build_platform, load_demo_data
from thanglong.core.testing.plugin import TEST_SECRET, create_database, drop_database, run_jobs
from thanglong.domains.identity import api as identity
from thanglong.web.app import create_app

PROCEDURE = "1.004194"  # Đăng ký tạm trú, in the demo catalogue
AGENCY = "000.00.61.H26"  # UBND Phường Hoàn Kiếm: the demo officer's agency
CITIZEN = ("congdan", "CongDan@2025")
OFFICER = ("canbo", "CanBo@2025")
HEAD = ("chutich", "ChuTich@2025")  # the ward chairwoman, who signs results
PDF = b"%PDF-1.7\n% so do nha o\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
FORM = {
    "nguoi_nop": {
        "ho_ten": "Nguyễn Thị Hằng Nga",
        "so_dinh_danh": "001190012345",
        "dien_thoai": "0912345678",
    },
    "dia_chi_cu_tru": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội",
    "cho_o": "so_huu",
    "hinh_thuc_nhan": "truc_tuyen",
}
ON_POSTGRES = bool(os.environ.get("THANGLONG_TEST_DATABASE_URL"))


@dataclass
class Site:
    """One installation: a data directory and a database, and the environment the commands get."""

    data_dir: Path
    database_url: str | None
    audit_key: str | None

    def env(self) -> dict[str, str]:
        """Return the process environment of the handbook's commands for this site, and nothing else."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
        env |= {
            "THANGLONG_ENV": "development",
            "THANGLONG_DATA_DIR": str(self.data_dir),
            "THANGLONG_SECRET_KEY": TEST_SECRET,
            "COLUMNS": "200",
        }
        if self.database_url:
            env["THANGLONG_DATABASE_URL"] = self.database_url
        if self.audit_key:
            env["THANGLONG_AUDIT_SIGNING_KEY"] = self.audit_key
        return env

    def settings(self) -> Settings:
        """Return the same settings, for the in-process checks."""
        return Settings(
            env="development",
            data_dir=self.data_dir,
            database_url=self.database_url,
            secret_key=TEST_SECRET,
            audit_signing_key=self.audit_key,
            load_demo_on_first_start=False,
            run_jobs_in_process=False,
        )

    def thanglong(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `thanglong ARGS` as the handbook writes it."""
        executable = Path(sys.executable).parent / "thanglong"
        if not executable.exists():
            pytest.fail(
                f"{executable} is missing: install the project into the virtualenv (pip install -e .)"
            )
        return subprocess.run(
            [str(executable), *args], env=self.env(), capture_output=True, text=True, timeout=120, check=False
        )


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """The site that is backed up and a fresh one to restore into (new data dir, new empty database)."""
    key = None
    if ON_POSTGRES:
        # Production keeps the audit key in the environment, not in the data directory: test that way too.
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        key = pem.decode("ascii")
    urls = [create_database(tmp_path, label) if ON_POSTGRES else None for label in ("bksrc", "bkdst")]
    source = Site(tmp_path / "source-data", urls[0], key)
    target = Site(tmp_path / "restored-data", urls[1], key)
    yield source, target
    for url in urls:
        if url:
            drop_database(url)


def _sign_in(client: TestClient, user: tuple[str, str]) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:200]
    answer = client.post(
        "/login",
        data={"username": user[0], "password": user[1], "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_value(client)


@dataclass(frozen=True)
class Facts:
    """What the restore must bring back."""

    dossier_id: str
    code: str
    status: str
    dossiers: int
    files: dict[str, bytes]
    chain_size: int


def _documents(client: TestClient, dossier_id: str) -> dict[str, bytes]:
    listed = client.get(f"/api/v1/procedures/dossiers/{dossier_id}/attachments")
    assert listed.status_code == 200, listed.text
    found = {}
    for item in listed.json():
        body = client.get(f"/api/v1/procedures/dossiers/{dossier_id}/attachments/{item['id']}")
        assert body.status_code == 200, body.text
        found[item["filename"]] = body.content
    return found


def _user_id(platform: Platform, user: tuple[str, str]) -> str:
    with platform.uow() as uow:
        found = identity.find_user(uow, user[0])
    assert found is not None
    return str(found.id)


def _count_dossiers(platform: Platform) -> int:
    with platform.uow() as uow:
        return int(uow.session.execute(text("SELECT count(*) FROM procedures_dossier")).scalar_one())


def _chain_size(platform: Platform) -> int:
    with platform.uow() as uow:
        return int(uow.session.scalar(select(func.max(AuditRecord.chain_seq))) or 0)


def _fill(site: Site) -> Facts:
    """Load the demo, file a dossier with a PDF as the citizen, receive it as the officer, checkpoint."""
    settings = site.settings()
    site.data_dir.mkdir(parents=True)
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    engine.dispose()
    platform = build_platform(settings)
    try:
        load_demo_data(platform)
        with platform.uow() as uow:
            agency = identity.find_agency(uow, AGENCY)
        assert agency is not None
        with TestClient(create_app(platform=platform), base_url="http://testserver") as citizen:
            token = _sign_in(citizen, CITIZEN)
            filed = citizen.post(
                "/api/v1/procedures/dossiers/with-files",
                data={
                    "dossier": json.dumps(
                        {
                            "procedure_code": PROCEDURE,
                            "receiving_agency_id": str(agency.id),
                            "form_data": FORM,
                        }
                    )
                },
                files=[("file", ("so-do-nha.pdf", PDF, "application/pdf"))],
                headers={"x-csrf-token": token},
            )
            assert filed.status_code == 201, filed.text
            dossier_id = filed.json()["id"]
        with TestClient(create_app(platform=platform), base_url="http://testserver") as officer:
            token = _sign_in(officer, OFFICER)
            received = officer.post(
                f"/api/v1/procedures/dossiers/{dossier_id}/actions/receive",
                json={},
                headers={"x-csrf-token": token},
            )
            assert received.status_code == 200, received.text
            assigned = officer.post(
                f"/api/v1/procedures/dossiers/{dossier_id}/actions/assign",
                json={"officer_id": _user_id(platform, OFFICER)},
                headers={"x-csrf-token": token},
            )
            assert assigned.status_code == 200, assigned.text
        with TestClient(create_app(platform=platform), base_url="http://testserver") as head:
            token = _sign_in(head, HEAD)
            approved = head.post(
                f"/api/v1/procedures/dossiers/{dossier_id}/actions/approve",
                json={},
                headers={"x-csrf-token": token},
            )
            assert approved.status_code == 200, approved.text
            # The worker's part: Form 01 and the result signed with the agency's key, the notifications.
            run_jobs(platform)
            files = _documents(head, dossier_id)
            dossier = head.get(f"/api/v1/procedures/dossiers/{dossier_id}").json()
        assert files.pop("so-do-nha.pdf") == PDF
        # Form 01 and the signed result, made by the worker's jobs, are the dossier's other files.
        assert len(files) >= 2 and all(body[:5] == b"%PDF-" for body in files.values()), list(files)
        files["so-do-nha.pdf"] = PDF
        audit.seal(platform)
        assert checkpoint(platform) is not None
        return Facts(
            dossier_id=dossier_id,
            code=dossier["code"],
            status=dossier["status"],
            dossiers=_count_dossiers(platform),
            files=files,
            chain_size=_chain_size(platform),
        )
    finally:
        platform.close()


def _wipe(site: Site) -> None:
    """Lose the site: its data directory and its database."""
    shutil.rmtree(site.data_dir)
    if site.database_url:
        drop_database(site.database_url)


def test_a_restore_brings_back_dossiers_files_and_a_verifiable_audit_chain(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, target = sites
    before = _fill(source)
    backup_dir = tmp_path / "backups" / "2026-12-03"

    made = source.thanglong("backup", "create", "--to", str(backup_dir))
    assert made.returncode == 0, made.stderr
    checked = source.thanglong("backup", "verify", "--from", str(backup_dir), "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["ok"] is True
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    paths = {f["path"] for f in manifest["files"]}
    assert manifest["database_file"] in paths
    assert any(p.startswith("data/attachments/") for p in paths)
    assert any(p.startswith("data/audit-checkpoints/") for p in paths)
    assert any(p.startswith("data/procedures/signing/") for p in paths)  # the development signing CA
    assert ("data/audit-signing-key.pem" in paths) is not ON_POSTGRES  # generated in the data dir only
    assert not any(p.startswith("data/thanglong.db") for p in paths)  # the live file: copied as a snapshot

    _wipe(source)
    restored = target.thanglong("backup", "restore", "--from", str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    assert target.thanglong("db", "check").returncode == 0
    verified = target.thanglong("audit", "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True
    # The chain holds every record sealed before the backup, its own record and the restore's.
    assert report["head_size"] >= before.chain_size + 2
    assert report["last_checkpoint"]["ok"] is True
    assert report["last_checkpoint"]["tree_size"] == before.chain_size

    platform = build_platform(target.settings())
    try:
        assert _count_dossiers(platform) == before.dossiers
        with TestClient(create_app(platform=platform), base_url="http://testserver") as citizen:
            _sign_in(citizen, CITIZEN)
            dossier = citizen.get(f"/api/v1/procedures/dossiers/{before.code}").json()
            assert (dossier["id"], dossier["status"]) == (before.dossier_id, before.status)
            assert _documents(citizen, before.dossier_id) == before.files
        with platform.uow() as uow:
            actions = set(uow.session.scalars(select(AuditRecord.action)))
        assert {"procedures.dossier.submitted", "procedures.dossier.receive"} <= actions
        assert {"core.backup.created", "core.backup.restored"} <= actions
    finally:
        platform.close()

    # A second restore over the restored site is refused and changes nothing; --force overwrites.
    again = target.thanglong("backup", "restore", "--from", str(backup_dir))
    assert again.returncode == 1
    assert "--force" in again.stderr and "\n" not in again.stderr.strip()
    forced = target.thanglong("backup", "restore", "--from", str(backup_dir), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.thanglong("audit", "verify").returncode == 0


def test_a_changed_or_unfinished_backup_is_named_and_not_restored(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, target = sites
    source.data_dir.mkdir(parents=True)
    settings = source.settings()
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    engine.dispose()
    attachment = source.data_dir / "attachments" / "ab" / ("ab" + "0" * 62)
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(PDF)
    backup_dir = tmp_path / "bk"
    assert source.thanglong("backup", "create", "--to", str(backup_dir)).returncode == 0

    refused = source.thanglong("backup", "create", "--to", str(backup_dir))
    assert refused.returncode == 2 and "not empty" in refused.stderr

    copied = backup_dir / "data" / "attachments" / "ab" / attachment.name
    copied.write_bytes(PDF.replace(b"so do", b"SO DO"))
    damaged = target.thanglong("backup", "verify", "--from", str(backup_dir))
    assert damaged.returncode == 1
    assert f"data/attachments/ab/{attachment.name}" in damaged.stderr
    not_restored = target.thanglong("backup", "restore", "--from", str(backup_dir))
    assert not_restored.returncode == 1
    assert not (target.data_dir / "attachments").exists()

    (backup_dir / "manifest.json").unlink()
    unfinished = target.thanglong("backup", "verify", "--from", str(backup_dir))
    assert unfinished.returncode == 1 and "manifest.json" in unfinished.stderr
