"""Attachments: content checks, the content-addressed store, the use case and the HTTP API."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.identity.helpers import csrf
from tests.domains.procedures.helpers import make_world
from tests.domains.procedures.test_pages import _file, _login
from thanglong.core.errors import Conflict, Forbidden, InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.attachments import (
    AttachmentTooLarge,
    ContentStore,
    check,
    clean_filename,
)
from thanglong.domains.procedures.dossiers.files import add_attachment, store_for
from thanglong.domains.procedures.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_types_are_recognised_by_content_not_by_name() -> None:
    assert check(PDF, "giấy tờ.pdf").media_type == "application/pdf"
    assert check(PNG, "anh.PNG").media_type == "image/png"
    with pytest.raises(InvalidInput) as disguised:
        check(b"MZ\x90\x00 executable", "to-khai.pdf")
    assert disguised.value.code == "attachment_type_not_allowed"
    with pytest.raises(InvalidInput) as mismatch:
        check(PDF, "anh.png")
    assert mismatch.value.code == "attachment_type_mismatch"
    with pytest.raises(InvalidInput):
        check(b"", "a.pdf")
    with pytest.raises(AttachmentTooLarge):
        check(PDF + b"x" * 100, "a.pdf", max_bytes=50)


def test_file_names_lose_paths_and_odd_characters() -> None:
    assert clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_filename("C:\\Users\\An\\Giấy khai sinh.pdf") == "Giấy khai sinh.pdf"
    assert clean_filename("a<b>|c.pdf") == "a_b_c.pdf"


def test_store_is_content_addressed_durable_and_not_executable(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    digest = hashlib.sha256(PDF).hexdigest()
    first = store.put(PDF, digest)
    assert store.put(PDF, digest) == first
    assert first.name == digest and store.get(digest) == PDF
    assert not first.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    first.write_bytes(b"tampered")
    with pytest.raises(RuntimeError):
        store.get(digest)


def _attachment_count(platform: Platform) -> int:
    with platform.uow() as uow:
        # Only the applicant's files: receipt also stores the office's Form 01 as an attachment.
        query = select(func.count()).select_from(Attachment).where(Attachment.kind == "application")
        return int(uow.session.scalar(query) or 0)


def test_only_the_applicant_attaches_and_only_while_filing(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    store = store_for(platform)
    with platform.uow() as uow:
        before = uow.session.scalar(select(func.count()).select_from(AuditRecord))
        added = add_attachment(
            uow, principal=world.citizen, ref=dossier.id, filename="to khai.pdf", content=PDF, store=store
        )
    assert added.sha256 == hashlib.sha256(PDF).hexdigest()
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditRecord)) == (before or 0) + 1
    with platform.uow() as uow, pytest.raises(Forbidden):
        add_attachment(
            uow, principal=world.officer, ref=dossier.id, filename="x.pdf", content=PDF, store=store
        )
    with platform.uow() as uow, pytest.raises(InvalidInput):
        add_attachment(
            uow, principal=world.citizen, ref=dossier.id, filename="x.pdf", content=b"<script>", store=store
        )
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action="receive")
    with platform.uow() as uow, pytest.raises(Conflict):
        add_attachment(
            uow, principal=world.citizen, ref=dossier.id, filename="y.pdf", content=PDF, store=store
        )
    assert _attachment_count(platform) == 1


def test_http_upload_list_download_and_refusals(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    url = f"/api/v1/procedures/dossiers/{dossier.id}/attachments"
    _login(client, platform, world.citizen)
    headers = {**csrf(client), "content-type": "application/octet-stream"}
    created = client.post(url, params={"filename": "Giấy chứng sinh.pdf"}, content=PDF, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["media_type"] == "application/pdf" and body["size"] == len(PDF)
    listed = client.get(url).json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = client.get(f"{url}/{body['id']}")
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"  # added by the shell
    disguised = client.post(
        url, params={"filename": "a.pdf"}, content=b"#!/bin/sh\nrm -rf /", headers=headers
    )
    assert disguised.status_code == 422 and disguised.json()["code"] == "attachment_type_not_allowed"
    huge = PDF + b"0" * (10 * 1024 * 1024)
    too_big = client.post(url, params={"filename": "big.pdf"}, content=huge, headers=headers)
    assert too_big.status_code == 413 and too_big.json()["code"] == "attachment_too_large"
    no_csrf = client.post(url, params={"filename": "a.pdf"}, content=PDF)
    assert no_csrf.status_code == 403
    assert _attachment_count(platform) == 1
    client.cookies.clear()
    assert client.get(url).status_code == 401


def test_a_long_name_keeps_its_extension() -> None:
    long = "Giấy xác nhận " * 30 + ".pdf"
    cleaned = clean_filename(long)
    assert len(cleaned) <= 200 and cleaned.endswith(".pdf") and cleaned.startswith("Giấy xác nhận")
    assert clean_filename("a" * 300).startswith("a") and len(clean_filename("a" * 300)) == 200
    # A right-to-left override cannot disguise the type: it is replaced.
    assert "\u202e" not in clean_filename("hoa-don\u202efdp.exe")
