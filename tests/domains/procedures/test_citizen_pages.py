"""The citizen's pages and API: uploads with the e-form, drafts, ratings, the document store."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.identity.helpers import csrf
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from tests.domains.procedures.test_citizen import EXE, PDF, _returned
from tests.domains.procedures.test_pages import _count, _file, _login, _token
from thanglong.core.platform import Platform
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.files import store_for
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.models import Attachment, DossierDraft
from thanglong.web import context as web_context


def _attachments(platform: Platform) -> int:
    with platform.uow() as uow:
        # The applicant's files only: the office's generated forms are attachments too.
        kinds = ("application", "supplement")
        return int(uow.session.scalar(select(func.count()).where(Attachment.kind.in_(kinds))) or 0)


def _stored_files(platform: Platform) -> list[str]:
    root = store_for(platform).root
    return [p.name for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _form(client: TestClient, world: World, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": _token(client),
        "receiving_agency_id": str(world.agency_id),
        "delivery": "online",
        "f.ho_ten": VALID_FORM["ho_ten"],
        "f.ngay_sinh": VALID_FORM["ngay_sinh"],
        **extra,
    }


def test_apply_with_a_pdf_files_the_dossier_and_lists_the_file(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    page = client.get(f"/procedures/{world.procedure_code}/apply")
    assert 'enctype="multipart/form-data"' in page.text
    assert 'type="file" id="files" name="files" multiple accept=".pdf,.png,.jpg,.jpeg"' in page.text
    filed = client.post(
        f"/procedures/{world.procedure_code}/apply",
        data=_form(client, world),
        files=[("files", ("giấy chứng sinh.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    dossier_page = client.get(filed.headers["location"])
    assert dossier_page.status_code == 200
    assert "Đã nộp hồ sơ." in dossier_page.text, "the citizen is told the filing went through"
    # The citizen sees the form he filed.
    filed_form = re.search(r'<section class="panel" id="filed-form">.*?</section>', dossier_page.text, re.S)
    assert filed_form is not None and "Nguyễn Thị Hoa" in filed_form.group(0)
    listed = re.search(r'<table id="upload-list">.*?</table>', dossier_page.text, re.S)
    assert listed is not None
    assert "giấy chứng sinh.pdf" in listed.group(0) and "application/pdf" in listed.group(0)
    assert f"{len(PDF)} B" in listed.group(0)
    link = re.search(r'href="(/api/v1/procedures/dossiers/[^"]+/attachments/[^"]+)"', listed.group(0))
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert _attachments(platform) == 1 and len(_stored_files(platform)) == 1
    # The officer of the agency sees the same file on his page of the dossier, and can open it.
    dossier_id = filed.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    _login(client, platform, world.officer)
    officer_page = client.get(f"/officer/dossiers/{dossier_id}")
    seen = re.search(r'<table id="attachment-list">.*?</table>', officer_page.text, re.S)
    assert seen is not None and "giấy chứng sinh.pdf" in seen.group(0)
    officer_link = re.search(r'href="(/api/v1/procedures/dossiers/[^"]+/attachments/[^"]+)"', seen.group(0))
    assert officer_link is not None and client.get(officer_link.group(1)).content == PDF


def test_a_disguised_executable_is_refused_and_nothing_is_filed(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    refused = client.post(
        f"/procedures/{world.procedure_code}/apply",
        data=_form(client, world),
        files=[
            ("files", ("to-khai.pdf", PDF, "application/pdf")),
            ("files", ("giay-to.pdf", EXE, "application/pdf")),
        ],
    )
    assert refused.status_code == 422
    error = re.search(r'<p class="ef-error" role="alert" id="files-error">([^<]*)</p>', refused.text)
    assert error is not None and "giay-to.pdf" in error.group(1)
    assert "Chỉ nhận tệp PDF, PNG hoặc JPEG" in error.group(1)
    # The e-form keeps what was typed; the files must be chosen again.
    assert f'value="{VALID_FORM["ho_ten"]}"' in refused.text
    assert _count(platform, world) == 0
    assert _attachments(platform) == 0 and _stored_files(platform) == []


def test_a_valid_file_with_an_invalid_form_stores_nothing(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    response = client.post(
        f"/procedures/{world.procedure_code}/apply",
        data=_form(client, world, **{"f.ngay_sinh": "31/02/2025"}),  # no such day
        files=[("files", ("to-khai.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 422
    assert _count(platform, world) == 0 and _stored_files(platform) == []


def test_the_csrf_token_is_required_on_the_multipart_form(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    url = f"/procedures/{world.procedure_code}/apply"
    upload = [("files", ("to-khai.pdf", PDF, "application/pdf"))]
    without = {k: v for k, v in _form(client, world).items() if k != "csrf_token"}
    for data in (without, {**without, "csrf_token": "sai-" + _token(client)}):
        response = client.post(url, data=data, files=upload, headers={"accept": "application/json"})
        assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert _count(platform, world) == 0 and _attachments(platform) == 0 and _stored_files(platform) == []


def test_a_multipart_body_over_the_limit_is_refused_while_it_streams(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    monkeypatch.setattr(web_context, "MAX_MULTIPART_BYTES", 4096)
    boundary = "ranh-gioi"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{_token(client)}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(64):
            yield PDF + b"x" * (1024 - len(PDF))
        yield f"\r\n--{boundary}--\r\n".encode()

    # A generator body has no Content-Length: only the streaming count can stop it.
    response = client.post(
        f"/procedures/{world.procedure_code}/apply",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}", "accept": "application/json"},
    )
    assert response.status_code == 413 and response.json()["code"] == "field_too_long"
    assert _count(platform, world) == 0


def test_draft_round_trip_through_the_page(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    url = f"/procedures/{world.procedure_code}/apply"
    assert "draft-restored" not in client.get(url).text
    # Saved with a bad date and a file: a draft is not validated and keeps no file.
    saved = client.post(
        url,
        data=_form(client, world, intent="draft", **{"f.ngay_sinh": "02/09", "f.khong_co": "x"}),
        files=[("files", ("to-khai.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith(url)
    assert _count(platform, world) == 0 and _attachments(platform) == 0
    with platform.uow() as uow:
        draft = uow.session.scalars(select(DossierDraft)).one()
        assert draft.form_data == {"ho_ten": VALID_FORM["ho_ten"], "ngay_sinh": "02/09"}
    page = client.get(url)
    assert "Đã khôi phục bản nháp lưu lúc" in page.text
    assert f'value="{VALID_FORM["ho_ten"]}"' in page.text and 'value="02/09"' in page.text
    assert f'<option value="{world.agency_id}" data-code="{world.agency_code}" selected>' in page.text
    assert 'id="draft-delete"' in page.text
    assert f'formaction="/procedures/{world.procedure_code}/draft/delete"' in page.text
    listing = client.get("/my/dossiers")
    assert f'<tr data-code="{world.procedure_code}">' in listing.text
    deleted = client.post(
        f"/procedures/{world.procedure_code}/draft/delete",
        data=_form(client, world),
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert "draft-restored" not in client.get(url).text
    client.post(url, data=_form(client, world, intent="draft"), follow_redirects=False)
    filed = client.post(url, data=_form(client, world), follow_redirects=False)
    assert filed.status_code == 303
    assert "draft-restored" not in client.get(url).text
    assert 'id="my-drafts"' not in client.get("/my/dossiers").text


def test_draft_api_is_per_citizen(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    other = make_world(platform)
    url = f"/api/v1/procedures/drafts/{world.procedure_code}"
    _login(client, platform, world.citizen)
    headers = csrf(client)
    assert client.get(url).status_code == 404
    body = {"receiving_agency_id": str(world.agency_id), "form_data": {"ho_ten": "An", "admin": True}}
    saved = client.put(url, json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["form_data"] == {"ho_ten": "An"}
    assert client.get(url).json()["receiving_agency_id"] == str(world.agency_id)
    assert [d["procedure_code"] for d in client.get("/api/v1/procedures/drafts").json()] == [
        world.procedure_code
    ]
    not_object = client.put(url, json={"form_data": ["An"]}, headers=headers)
    assert not_object.status_code == 422
    huge = client.put(url, json={"form_data": {"ho_ten": "a" * 200_000}}, headers=headers)
    assert huge.status_code == 413
    assert client.put(url, json=body).status_code == 403
    _login(client, platform, other.citizen)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/procedures/drafts").json() == []
    assert client.delete(url, headers=csrf(client)).status_code == 404
    _login(client, platform, world.officer)
    assert client.get(url).status_code == 403
    _login(client, platform, world.citizen)
    assert client.get(url).json()["form_data"] == {"ho_ten": "An"}
    assert client.delete(url, headers=csrf(client)).status_code == 204
    assert client.get(url).status_code == 404


def test_rating_form_and_api(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    open_dossier = _file(platform, world)
    done = _returned(platform, world)
    _login(client, platform, world.citizen)
    assert 'id="rating-form"' not in client.get(f"/my/dossiers/{open_dossier.id}").text
    page = client.get(f"/my/dossiers/{done.id}")
    assert 'id="rating-form"' in page.text and f'action="/my/dossiers/{done.id}/rating"' in page.text
    early = client.post(
        f"/api/v1/procedures/dossiers/{open_dossier.id}/rating", json={"score": 5}, headers=csrf(client)
    )
    assert early.status_code == 409 and early.json()["code"] == "rating_not_open"
    rated = client.post(
        f"/my/dossiers/{done.id}/rating",
        data={"csrf_token": _token(client), "score": "5", "comment": "Cán bộ hướng dẫn tận tình"},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    shown = client.get(f"/my/dossiers/{done.id}")
    assert 'id="rating-form"' not in shown.text and 'data-score="5"' in shown.text
    assert "Cán bộ hướng dẫn tận tình" in shown.text
    again = client.post(f"/my/dossiers/{done.id}/rating", data={"csrf_token": _token(client), "score": "1"})
    assert again.status_code == 409 and "chỉ được đánh giá một lần" in again.text
    api_again = client.post(
        f"/api/v1/procedures/dossiers/{done.id}/rating", json={"score": 1}, headers=csrf(client)
    )
    assert api_again.status_code == 409 and api_again.json()["code"] == "already_rated"
    assert 'data-score="5"' in client.get(f"/my/dossiers/{done.id}").text


def test_supplement_page_takes_files_and_refuses_bad_ones(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action=A.REQUEST_SUPPLEMENT, note="Thiếu")
    _login(client, platform, world.citizen)
    page = client.get(f"/my/dossiers/{dossier.id}")
    assert 'id="supplement-form" enctype="multipart/form-data"' in page.text and 'id="files"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    data = {
        "csrf_token": _token(client),
        "version": version.group(1),
        "f.ho_ten": VALID_FORM["ho_ten"],
        "f.ngay_sinh": VALID_FORM["ngay_sinh"],
    }
    bad = client.post(
        f"/my/dossiers/{dossier.id}/supplement",
        data=data,
        files=[("files", ("bo-sung.pdf", EXE, "application/pdf"))],
    )
    assert bad.status_code == 422 and 'id="files-error"' in bad.text
    with platform.uow() as uow:
        assert services.get_dossier(uow, dossier.id).status is S.SUPPLEMENT_REQUESTED
    assert _attachments(platform) == 0
    good = client.post(
        f"/my/dossiers/{dossier.id}/supplement",
        data=data,
        files=[("files", ("bo-sung.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert good.status_code == 303
    shown = client.get(f"/my/dossiers/{dossier.id}")
    assert "bo-sung.pdf" in shown.text and "Tệp bổ sung" in shown.text
    assert "Đã gửi hồ sơ bổ sung" in shown.text, "the citizen is told the supplement went"


def test_document_store_lists_own_documents_only(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    other = make_world(platform)
    _login(client, platform, world.citizen)
    assert 'href="/my/documents"' in client.get("/my/dossiers").text
    assert 'id="no-documents"' in client.get("/my/documents").text
    client.post(
        f"/procedures/{world.procedure_code}/apply",
        data=_form(client, world),
        files=[("files", ("to-khai.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    mine = client.get("/my/documents")
    assert mine.status_code == 200 and "to-khai.pdf" in mine.text and 'data-kind="application"' in mine.text
    _login(client, platform, other.citizen)
    assert "to-khai.pdf" not in client.get("/my/documents").text
    _login(client, platform, world.officer)
    assert client.get("/my/documents").status_code == 403
