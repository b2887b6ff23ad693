"""The announcement pages by role, the two-person rule over HTTP, the public feed, XML and page."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from lxml import etree

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.terminals.announcements.helpers import BA_DINH, HOAN_KIEM, approve, create, now
from thanglong.core.clock import to_hanoi
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OFFICER
from thanglong.domains.terminals.announcements import services

PAGE = "/terminals/announcements"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _form(platform: Platform, client: TestClient, **changes: str) -> dict[str, str]:
    start = to_hanoi(now(platform) + timedelta(hours=1))
    form = {
        "csrf_token": csrf_value(client),
        "headline": "Thông báo tiêm chủng",
        "description": "Tiêm vắc-xin sởi tại trạm y tế phường từ 8 giờ.",
        "category": "public_health",
        "level": "priority",
        "certainty": "Likely",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "expires": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "schedule": "once",
        "repeat_count": "2",
        "target_kind": "communes",
        "action": "submit",
    }
    form.update(changes)
    return form


def test_pages_by_role(client: TestClient, platform: Platform) -> None:
    assert client.get(PAGE, follow_redirects=False).status_code in (303, 401)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "/new").status_code == 403
    client.cookies.clear()
    sign_in(client, platform, make_user(platform, OFFICER))
    assert client.get(PAGE).status_code == 200
    page = client.get(PAGE + "/new")
    assert page.status_code == 200 and "/static/terminals/announcements.js" in page.text
    assert 'value="00070"' in page.text


def test_officer_drafts_for_two_communes_and_another_approves(client: TestClient, platform: Platform) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    sign_in(client, platform, officer)
    data = _form(platform, client) | {"communes": [HOAN_KIEM, BA_DINH]}
    made = client.post(PAGE + "/new", data=data)
    assert made.status_code == 200, made.text
    assert "Đã gửi duyệt bản tin" in made.text and 'data-state="pending"' in made.text
    assert "Phường Hoàn Kiếm" in made.text and "&lt;alert" in made.text
    announcement_id = made.url.path.rsplit("/", 1)[1]
    # The officer may not approve at all (no permission).
    own = client.post(f"{PAGE}/{announcement_id}/approve", data={"csrf_token": csrf_value(client)})
    assert own.status_code == 403
    client.cookies.clear()
    sign_in(client, platform, head)
    done = client.post(f"{PAGE}/{announcement_id}/approve", data={"csrf_token": csrf_value(client)})
    assert done.status_code == 200 and 'data-state="active"' in done.text
    twice = client.post(f"{PAGE}/{announcement_id}/approve", data={"csrf_token": csrf_value(client)})
    assert twice.status_code == 409 and "không chờ duyệt" in twice.text


def test_an_agency_head_approving_own_draft_gets_a_clear_403(client: TestClient, platform: Platform) -> None:
    head = make_user(platform, AGENCY_HEAD)
    made = create(platform, head)
    sign_in(client, platform, head)
    refused = client.post(f"{PAGE}/{made.id}/approve", data={"csrf_token": csrf_value(client)})
    assert refused.status_code == 403 and "Không được tự duyệt" in refused.text


def test_bad_forms_are_refused_with_the_reason(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, OFFICER))
    outside = _form(platform, client, target_kind="circle", circle_lat="10.77", circle_lon="106.70")
    outside["circle_radius_km"] = "3"
    response = client.post(PAGE + "/new", data=outside)
    assert response.status_code == 422 and "ngoài Hà Nội" in response.text
    past = _form(platform, client, start="2020-01-01T08:00", expires="2020-01-02T08:00")
    response = client.post(PAGE + "/new", data=past | {"communes": [HOAN_KIEM]})
    assert response.status_code == 422 and "đã qua" in response.text
    bad_cap = client.post(
        PAGE + "/import",
        data={"csrf_token": csrf_value(client)},
        files={"cap": ("x.xml", b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>", "text/xml")},
    )
    assert bad_cap.status_code == 422 and 'id="ann-error"' in bad_cap.text


def test_the_atom_feed_lists_active_alerts_with_links(client: TestClient, platform: Platform) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    active = approve(platform, head, create(platform, officer).id)
    pending = create(platform, officer, headline="Chưa duyệt")
    response = client.get("/terminals/alerts.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    entries = root.findall("a:entry", ATOM)
    assert [e.findtext("a:title", namespaces=ATOM) for e in entries] == [active.headline]
    links = {link.get("rel"): link for link in entries[0].findall("a:link", ATOM)}
    assert links["alternate"].get("type") == "application/cap+xml"
    xml_path = links["alternate"].get("href", "").split("testserver", 1)[-1]
    xml_path = xml_path[xml_path.index("/terminals/") :]
    cap = client.get(xml_path)
    assert cap.status_code == 200 and cap.headers["content-type"].startswith("application/cap+xml")
    assert active.identifier.encode() in cap.content
    page = client.get(f"/terminals/alerts/{active.identifier}")
    assert page.status_code == 200 and active.headline in page.text
    assert client.get(f"/terminals/alerts/{pending.identifier}").status_code == 404
    assert client.get(f"/terminals/alerts/{pending.identifier}.xml").status_code == 404
    # A Cancel, once approved, takes the alert out of the feed.
    with platform.uow() as uow:
        cancel = services.draft_cancel(
            uow, actor=f"user:{head.id}:{head.username}", user_id=head.id, previous_id=active.id, reason="Hết"
        )
    approve(platform, head, cancel.id)
    root = etree.fromstring(client.get("/terminals/alerts.atom").content)
    assert root.findall("a:entry", ATOM) == []
    assert client.get(f"/terminals/alerts/{active.identifier}").status_code == 404


def test_the_json_list_needs_the_draft_permission(client: TestClient, platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    create(platform, officer)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/api/v1/terminals/announcements").status_code == 403
    client.cookies.clear()
    sign_in(client, platform, officer)
    body = client.get("/api/v1/terminals/announcements", params={"state": "pending"}).json()
    assert [a["state"] for a in body["announcements"]] == ["pending"]
