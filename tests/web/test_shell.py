"""Tests of the web shell: layout, home page, error pages, language switch and vendored assets."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value
from thanglong.core.errors import Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from thanglong.core.manifest import DomainManifest, TemplateFilter
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN
from thanglong.web.app import build_templates, create_app
from thanglong.web.i18n import current_language

PASSWORD = "Mật-khẩu-đủ-dài-2025"


class Tags(HTMLParser):
    """Collect start tags with their attributes and the text of every element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record a start tag."""
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        self._in_script = tag == "script"
        if tag in {"a", "button", "form", "input"}:
            for name in values:
                assert not name.startswith("on"), f"inline event handler {name} on <{tag}>"

    def handle_data(self, data: str) -> None:
        """Record the text of inline scripts (the CSP would block them)."""
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        """Leave a script element."""
        if tag == "script":
            self._in_script = False

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        """Return the attributes of every tag matching all the given attribute values."""
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse(html: str) -> Tags:
    """Parse a page."""
    tags = Tags()
    tags.feed(html)
    return tags


def html_lang(html: str) -> str:
    """Return the lang attribute of the <html> element."""
    found = re.search(r"<html lang=\"([a-z]+)\"", html)
    assert found, "no <html lang> attribute"
    return found.group(1)


def test_home_page_layout_in_vietnamese(client: TestClient, platform: Platform) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    page = parse(html)
    assert html_lang(html) == "vi"
    assert "Thăng Long" in html and "Thành phố Hà Nội" in html
    assert page.find("a", href="/map"), "the map link is always in the navigation"
    assert page.find("a", **{"class": "lang", "data-lang": "vi"})
    assert page.find("a", **{"class": "lang", "data-lang": "en"})
    assert page.find("a", id="login-link")
    assert not page.find("button", id="logout")
    assert page.inline_scripts == [], "the CSP forbids inline scripts"
    sources = [s["src"] for s in page.find("script")]
    assert "/static/vendor/htmx/htmx.min.js" in sources
    assert "/static/js/shell.js" in sources
    for manifest in platform.manifests:
        assert page.find("li", **{"class": "card", "data-domain": manifest.name})
        assert manifest.title_vi in html
    assert page.find("a", id="quick-map", href="/map")
    assert page.find("a", id="quick-login", href="/login")
    assert "Nền tảng chính quyền số và đô thị thông minh Hà Nội" in html


def test_home_page_in_english(client: TestClient, platform: Platform) -> None:
    client.cookies.set("tl_lang", "en")
    html = client.get("/").text
    assert html_lang(html) == "en"
    assert ">Home<" in html and ">Map<" in html and "Sign in" in html
    for manifest in platform.manifests:
        assert manifest.title_en in html
        # An English page is English only: no Vietnamese name beside the English one.
        assert manifest.title_vi not in html or manifest.title_vi == manifest.title_en
    assert "Trang chủ" not in html


def test_anonymous_home_hides_links_that_need_permissions(client: TestClient) -> None:
    page = parse(client.get("/").text)
    assert not page.find("a", href="/admin/users")


def _sign_in(client: TestClient, platform: Platform, username: str, roles: set[RoleName]) -> None:
    with platform.uow() as uow:
        identity_api.create_user(uow, actor="test", username=username, password=PASSWORD, roles=roles)
    form = parse(client.get("/login").text)
    token = form.find("input", name="csrf_token")[0]["value"]
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_signed_in_user_box_and_admin_links(client: TestClient, platform: Platform) -> None:
    _sign_in(client, platform, "quantri.shell", {ADMINISTRATOR})
    html = client.get("/").text
    page = parse(html)
    assert re.search(r'<span class="who">quantri\.shell</span>', html)
    logout = page.find("form", action="/logout")
    assert logout and logout[0]["method"] == "post"
    csrf = page.find("input", name="csrf_token")
    assert csrf and csrf[0]["value"] == csrf_value(client)
    assert page.find("button", id="logout")
    assert page.find("a", href="/admin/users"), "an administrator sees the users admin link"
    assert not page.find("a", id="quick-login")


def test_citizen_does_not_see_admin_links(client: TestClient, platform: Platform) -> None:
    _sign_in(client, platform, "congdan.shell", {CITIZEN})
    page = parse(client.get("/").text)
    assert not page.find("a", href="/admin/users")
    assert page.find("a", href="/map")


@pytest.fixture
def raising_client(platform: Platform) -> Iterator[TestClient]:
    """An app with extra routes that raise each kind of error (added after the guard check)."""
    app = create_app(platform=platform)
    errors = {
        "401": Unauthenticated("not_authenticated", "Vui lòng đăng nhập.", "Please sign in."),
        "403": Forbidden("forbidden", "Bạn không có quyền thực hiện thao tác này.", "You may not do this."),
        "404": NotFound("dossier_not_found", "Không tìm thấy hồ sơ.", "Dossier not found."),
        "422": InvalidInput("invalid_field", "Số điện thoại không hợp lệ.", "Invalid phone number."),
        "429": TooManyRequests("too_many_logins", "Đăng nhập sai quá nhiều lần.", "Too many failed logins."),
    }

    async def raise_error(status: str, request: Request) -> None:
        if status == "500":
            raise RuntimeError("boom")
        raise errors[status]

    async def typed(number: int) -> dict[str, int]:
        return {"number": number}

    app.add_api_route("/test-errors/{status}", raise_error, methods=["GET", "POST"])
    app.add_api_route("/test-typed", typed, methods=["GET"])
    app.add_api_route("/api/v1/test-errors/{status}", raise_error, methods=["GET"])
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


ERROR_CASES = [
    ("401", "Chưa đăng nhập", "Not signed in", "Vui lòng đăng nhập.", "Please sign in."),
    ("403", "Không có quyền truy cập", "Access denied", "Bạn không có quyền", "You may not do this."),
    ("404", "Không tìm thấy trang", "Page not found", "Không tìm thấy hồ sơ.", "Dossier not found."),
    ("422", "Dữ liệu không hợp lệ", "Invalid data", "Số điện thoại không hợp lệ.", "Invalid phone number."),
    (
        "429",
        "Quá nhiều yêu cầu",
        "Too many requests",
        "Đăng nhập sai quá nhiều lần.",
        "Too many failed logins.",
    ),
    ("500", "Lỗi hệ thống", "System error", "Lỗi hệ thống, vui lòng thử lại sau.", "Internal server error"),
]


@pytest.mark.parametrize(("status", "title_vi", "title_en", "message_vi", "message_en"), ERROR_CASES)
def test_error_page_in_both_languages(
    raising_client: TestClient, status: str, title_vi: str, title_en: str, message_vi: str, message_en: str
) -> None:
    # POST, because a GET that needs a login is redirected to the login form instead.
    response = raising_client.post("/test-errors/" + status, headers={"Accept": "text/html"})
    assert response.status_code == int(status)
    assert response.headers["content-type"].startswith("text/html")
    assert html_lang(response.text) == "vi"
    assert title_vi in response.text and message_vi in response.text
    assert f'<p class="error-status" aria-hidden="true">{status}</p>' in response.text
    raising_client.cookies.set("tl_lang", "en")
    english = raising_client.post("/test-errors/" + status, headers={"Accept": "text/html"})
    assert english.status_code == int(status)
    assert html_lang(english.text) == "en"
    assert title_en in english.text and message_en in english.text
    assert message_vi not in english.text


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert 'data-code="not_found"' in response.text


def test_validation_error_page_lists_the_fields(raising_client: TestClient) -> None:
    response = raising_client.get("/test-typed?number=muoi")
    assert response.status_code == 422
    assert "Dữ liệu không hợp lệ" in response.text
    assert "<code>number</code>" in response.text


def test_api_errors_stay_json(raising_client: TestClient) -> None:
    response = raising_client.get("/api/v1/test-errors/500")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.json()["message_en"].startswith("Internal server error")
    assert raising_client.get("/api/v1/test-errors/429").json()["code"] == "too_many_logins"


def test_get_that_needs_login_redirects_to_the_login_form(raising_client: TestClient) -> None:
    response = raising_client.get("/test-errors/401", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/test-errors/401"


def test_language_switch_sets_cookie_and_redirects_safely(client: TestClient) -> None:
    response = client.get("/lang/en", params={"next": "/map?q=hoan"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/map?q=hoan"
    assert "tl_lang=en" in response.headers["set-cookie"]
    outside = client.get("/lang/vi", params={"next": "//evil.example/"}, follow_redirects=False)
    assert outside.headers["location"] == "/"
    assert client.get("/lang/fr", follow_redirects=False).status_code == 422


def test_language_links_come_back_to_the_same_page(client: TestClient) -> None:
    page = parse(client.get("/map").text)
    english = page.find("a", **{"class": "lang", "data-lang": "en"})[0]
    assert english["href"] == "/lang/en?next=/map"


@pytest.mark.parametrize(
    ("path", "media", "marker"),
    [
        ("/static/vendor/htmx/htmx.min.js", "javascript", b"htmx"),
        ("/static/vendor/htmx/LICENSE", "", b"Zero-Clause BSD"),
        ("/static/vendor/chart/chart.umd.js", "javascript", b"Chart.js v4."),
        ("/static/vendor/chart/LICENSE", "", b"MIT License"),
        ("/static/img/logo.svg", "image/svg+xml", b"<svg"),
        ("/static/css/app.css", "text/css", b"--red"),
        ("/static/js/shell.js", "javascript", b"commune-figures"),
    ],
)
def test_vendored_assets_are_served(client: TestClient, path: str, media: str, marker: bytes) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert media in response.headers["content-type"]
    assert marker in response.content


def test_home_loads_the_chart_library_only_where_needed(client: TestClient) -> None:
    home = [s["src"] for s in parse(client.get("/").text).find("script")]
    assert "/static/vendor/chart/chart.umd.js" in home
    error = [s["src"] for s in parse(client.get("/khong-co").text).find("script")]
    assert "/static/vendor/chart/chart.umd.js" not in error


def test_hsts_only_when_cookies_are_secure(client: TestClient, platform: Platform) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    secure = platform.settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(platform=dataclasses.replace(platform, settings=secure))) as https:
        answer = https.get("/")
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def tagged(value: object, lang: str) -> str:
    """A domain's template filter for the test below: the value and the language it was given."""
    return f"{value}:{lang}"


@dataclasses.dataclass
class _Manifests:
    manifests: list[DomainManifest]


def test_domain_template_filters_get_the_page_language() -> None:
    declared = TemplateFilter("tagged", "tests.web.test_shell:tagged")
    domain = DomainManifest("tagging", "Gắn nhãn", "Tagging", template_filters=(declared,))
    env = build_templates(_Manifests([domain])).env  # type: ignore[arg-type]
    for lang in ("en", "vi"):
        token = current_language.set(lang)
        try:
            assert env.from_string("{{ 'Hộ tịch'|tagged }}").render() == f"Hộ tịch:{lang}"
        finally:
            current_language.reset(token)
    # A name the shell (or an earlier domain) already uses stops start-up instead of replacing it.
    clash = DomainManifest("clash", "X", "X", template_filters=(TemplateFilter("number", declared.function),))
    with pytest.raises(RuntimeError, match="'number'"):
        build_templates(_Manifests([clash]))  # type: ignore[arg-type]
