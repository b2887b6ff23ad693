"""Uploads streamed into the store while hashed: kept only for an accepted filing, never half-named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.domains.procedures.helpers import VALID_FORM, make_world
from tests.domains.procedures.test_citizen_pages import _stored_files
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import api as identity
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.procedures.dossiers.attachments import (
    AttachmentTooLarge,
    ContentStore,
    StagedFile,
    check,
    check_staged,
)
from thanglong.domains.procedures.dossiers.files import store_for

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n" + bytes(range(256)) * 300
URL = "/api/v1/procedures/dossiers/with-files"


def _stage(
    store: ContentStore, content: bytes, name: str = "to-khai.pdf", *, chunk: int = 1000
) -> StagedFile:
    staged = StagedFile(store, name)
    for start in range(0, len(content), chunk):
        staged.write(memoryview(content)[start : start + chunk])
    return staged


def test_a_staged_file_is_checked_like_content_and_named_by_it_when_kept(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "attachments")
    staged = _stage(store, PDF)
    assert check_staged(staged) == check(PDF, "to-khai.pdf")
    assert next(p.name for p in store.root.iterdir()).startswith(".incoming-"), "not named before keep"
    target = staged.keep()
    assert target == store.path_for(hashlib.sha256(PDF).hexdigest()) and store.get(staged.sha256) == PDF
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [target.name]
    staged.discard()
    assert target.exists(), "discarding a kept file leaves it"
    again = _stage(store, PDF)
    assert again.keep() == target and [p for p in store.root.rglob("*") if p.is_file()] == [target]


def test_a_staged_file_that_fails_its_check_leaves_nothing(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "attachments")
    wrong = _stage(store, PDF, "anh.png")
    with pytest.raises(InvalidInput):
        check_staged(wrong)
    big = StagedFile(store, "to.pdf", max_bytes=1000)
    big.write(PDF[:800])
    big.write(PDF[800:1600])
    with pytest.raises(AttachmentTooLarge):
        check_staged(big)
    wrong.discard()
    big.discard()
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_a_refused_filing_over_http_leaves_no_file(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        _, key = identity.create_api_key(uow, actor=SYSTEM_ACTOR, name="Cổng DVCQG", role=CITIZEN)
    headers = {"authorization": f"Bearer {key}"}
    dossier = {"procedure_code": world.procedure_code, "receiving_agency_id": str(world.agency_id)}
    refused = client.post(
        URL,
        data={"dossier": json.dumps({**dossier, "form_data": {"ho_ten": "A"}})},
        files=[("file", ("to-khai.pdf", PDF, "application/pdf"))],
        headers=headers,
    )
    assert refused.status_code == 422 and _stored_files(platform) == []
    too_many = client.post(
        URL,
        data={"dossier": json.dumps({**dossier, "form_data": VALID_FORM})},
        files=[("file", (f"{i}.pdf", PDF, "application/pdf")) for i in range(11)],
        headers=headers,
    )
    assert too_many.status_code == 422 and too_many.json()["code"] == "bad_multipart"
    assert _stored_files(platform) == []
    accepted = client.post(
        URL,
        data={"dossier": json.dumps({**dossier, "form_data": VALID_FORM})},
        files=[("file", ("to-khai.pdf", PDF, "application/pdf")), ("other", ("x.pdf", b"%PDF-", "a/b"))],
        headers=headers,
    )
    assert accepted.status_code == 201, accepted.text
    assert [a["sha256"] for a in accepted.json()["attachments"]] == [hashlib.sha256(PDF).hexdigest()]
    assert _stored_files(platform) == [hashlib.sha256(PDF).hexdigest()]
    assert store_for(platform).get(hashlib.sha256(PDF).hexdigest()) == PDF
