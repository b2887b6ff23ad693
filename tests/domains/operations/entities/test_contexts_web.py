"""The @context register page and API: administrators only, upload with what happened said, bad files."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import ADMINISTRATOR, OPERATOR
from thanglong.domains.operations.entities import contexts

PAGE = "/operations/contexts"
API = "/api/v1/operations/contexts"
URL = "https://data.hanoi.gov.vn/contexts/moi-truong.jsonld"
DOCUMENT = {
    "@context": {"bui_min": "https://data.hanoi.gov.vn/vocab#pm25", "tram": "https://schema.org/Place"}
}


def _upload(client: TestClient, url: str, content: bytes) -> object:
    return client.post(
        PAGE,
        data={"url": url, "csrf_token": csrf_value(client)},
        files={"document": ("moi-truong.jsonld", content, "application/ld+json")},
        follow_redirects=False,
    )


def test_an_administrator_registers_a_context_from_the_page_and_is_told(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    page = client.get(PAGE)
    assert page.status_code == 200
    # The shipped contexts are listed: the NGSI-LD core context at least.
    assert "uri.etsi.org/ngsi-ld" in page.text and 'id="ctx-registered"' in page.text
    done = _upload(client, URL, json.dumps(DOCUMENT).encode())
    assert done.status_code == 303, getattr(done, "text", "")
    after = client.get(done.headers["location"])
    assert f'data-url="{URL}"' in after.text
    assert re.search(r"Đã đăng ký @context .*moi-truong\.jsonld \(2 thuật ngữ\)", after.text)
    with platform.uow() as uow:
        assert [c.url for c in contexts.list_contexts(uow)] == [URL]
    english = client.get(f"/lang/en?next={PAGE}")
    for text in ("JSON-LD contexts", "Register the @context", "Shipped with the platform", "SHA-256 digest"):
        assert text in english.text, text
    for text in ("Ngữ cảnh JSON-LD", "Đăng ký @context", "Có sẵn trong nền tảng"):
        assert text not in english.text, text


def test_a_bad_file_is_refused_with_the_reason_and_the_url_kept(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    cases = [
        (b"{not json", "không phải JSON hợp lệ"),
        (b"\xff\xfe", "không phải văn bản UTF-8"),
        (json.dumps({"terms": {}}).encode(), "khóa @context"),
        (b"", "Hãy chọn tệp @context"),
    ]
    for content, reason in cases:
        refused = _upload(client, URL, content)
        assert refused.status_code == 422, (content, refused.status_code)
        assert reason in refused.text and f'value="{URL}"' in refused.text
    # A shipped URL cannot be replaced, and a URL that is not http(s) is refused.
    core = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
    assert _upload(client, core, json.dumps(DOCUMENT).encode()).status_code == 422
    assert _upload(client, "ftp://x/y", json.dumps(DOCUMENT).encode()).status_code == 422
    with platform.uow() as uow:
        assert contexts.list_contexts(uow) == []


def test_the_api_registers_and_lists_for_administrators_only(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        _d, admin_key = identity_api.create_api_key(uow, actor="t", name="ctx-admin", role=ADMINISTRATOR)
        _d, operator_key = identity_api.create_api_key(uow, actor="t", name="ctx-op", role=OPERATOR)
    admin = {"Authorization": f"Bearer {admin_key}"}
    body = {"url": URL, "document": DOCUMENT}
    assert client.post(API, json=body, headers={"Authorization": f"Bearer {operator_key}"}).status_code == 403
    created = client.post(API, json=body, headers=admin)
    assert created.status_code == 201 and created.json()["terms"] == 2
    listed = client.get(API, headers=admin).json()
    assert [c["url"] for c in listed["registered"]] == [URL] and listed["shipped"]
    bad = client.post(API, json={"url": URL, "document": {"x": 1}}, headers=admin)
    assert bad.status_code == 422 and bad.json()["message_en"]
