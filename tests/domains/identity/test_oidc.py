"""Single sign-on against a local OpenID provider: code flow with PKCE, state, nonce, RS256."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from tests.domains.identity.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider, TestProvider
from thanglong.core.errors import Unauthenticated
from thanglong.core.platform import Platform
from thanglong.domains.identity import oidc, services
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.identity.models import ExternalIdentity, User
from thanglong.web.app import create_app
from thanglong.web.context import SESSION_COOKIE


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    """A local OpenID provider on a free port for this module."""
    running = RunningProvider()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def idp(provider: RunningProvider) -> Iterator[TestProvider]:
    """The provider's state, honest at the start of each test."""
    provider.state.reset()
    yield provider.state
    provider.state.reset()


@pytest.fixture
def sso(platform: Platform, idp: TestProvider) -> Iterator[TestClient]:
    """A client of the app configured to sign in through the local provider."""
    platform.settings = platform.settings.model_copy(
        update={
            "oidc_issuer": idp.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "public_base_url": "http://testserver",
        }
    )
    with TestClient(create_app(platform=platform), base_url="http://testserver") as client:
        yield client


def start(client: TestClient, next_path: str = "/me") -> str:
    """Run the browser part of the flow up to the callback; return the callback path and query."""
    begin = client.get(f"/auth/oidc/login?next={next_path}", follow_redirects=False)
    assert begin.status_code == 303
    authorize = begin.headers["location"]
    with httpx.Client() as browser:
        approved = browser.get(authorize, follow_redirects=False)
    assert approved.status_code == 302, approved.text
    target = urlsplit(approved.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == "http://testserver"
    return f"{target.path}?{target.query}"


def counts(platform: Platform) -> tuple[int, int]:
    with platform.uow() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(User)) or 0,
            uow.session.scalar(select(func.count()).select_from(ExternalIdentity)) or 0,
        )


def test_login_page_offers_vneid(sso: TestClient) -> None:
    page = sso.get("/login?next=/me")
    assert "Đăng nhập bằng VNeID" in page.text
    assert 'href="/auth/oidc/login?next=/me"' in page.text or "/auth/oidc/login?next=%2Fme" in page.text


def test_code_flow_with_pkce_signs_in_and_links_once(
    sso: TestClient, platform: Platform, idp: TestProvider
) -> None:
    callback = start(sso)
    sent = idp.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["scope"] == "openid profile email" and sent["state"] and sent["nonce"]
    assert sent["redirect_uri"] == "http://testserver/auth/oidc/callback"
    done = sso.get(callback, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me"
    assert sso.cookies.get(SESSION_COOKIE)
    me = sso.get("/api/v1/identity/me").json()
    assert me["kind"] == "user" and me["roles"] == [CITIZEN]
    with platform.uow() as uow:
        user = services.find_user(uow, me["name"])
    assert user is not None and user.full_name == "Nguyễn Thị Định Danh" and not user.has_password
    before = counts(platform)
    sso.cookies.clear()
    assert sso.get(start(sso), follow_redirects=False).status_code == 303
    assert sso.get("/api/v1/identity/me").json()["name"] == me["name"]
    assert counts(platform) == before, "the same (issuer, subject) signs in to the same account"


def test_forged_id_token_is_refused(sso: TestClient, platform: Platform, idp: TestProvider) -> None:
    before = counts(platform)
    idp.forge_signature = True
    refused = sso.get(start(sso), follow_redirects=False, headers={"accept": "application/json"})
    assert refused.status_code == 401 and refused.json()["code"] == "oidc_failed"
    assert not sso.cookies.get(SESSION_COOKIE)
    assert counts(platform) == before


def test_wrong_nonce_is_refused(sso: TestClient, platform: Platform, idp: TestProvider) -> None:
    before = counts(platform)
    idp.nonce_override = "not-the-nonce-we-sent"
    refused = sso.get(start(sso), follow_redirects=False, headers={"accept": "application/json"})
    assert refused.status_code == 401 and refused.json()["code"] == "oidc_failed"
    assert "nonce" in refused.json()["details"]["reason"]
    assert counts(platform) == before


def test_wrong_audience_and_expired_tokens_are_refused(sso: TestClient, idp: TestProvider) -> None:
    idp.claims = {"aud": "another-client"}
    refused = sso.get(start(sso), headers={"accept": "application/json"})
    assert refused.status_code == 401 and "aud" in refused.json()["details"]["reason"]
    idp.claims = {"exp": 1_000_000_000, "iat": 999_999_000}
    expired = sso.get(start(sso), headers={"accept": "application/json"})
    assert expired.status_code == 401 and "exp" in expired.json()["details"]["reason"]


def test_state_mismatch_and_code_replay_are_refused(sso: TestClient, platform: Platform) -> None:
    callback = start(sso)
    query = parse_qs(urlsplit(callback).query)
    forged = sso.get(
        f"/auth/oidc/callback?code={query['code'][0]}&state=forged", headers={"accept": "application/json"}
    )
    assert forged.status_code == 400 and forged.json()["code"] == "oidc_state_invalid"
    callback = start(sso)
    assert sso.get(callback, follow_redirects=False).status_code == 303
    sso.cookies.clear()
    replay = sso.get(callback, headers={"accept": "application/json"})
    assert replay.status_code == 400 and replay.json()["code"] == "oidc_state_invalid", "no state cookie"


def test_code_cannot_be_used_twice(provider: RunningProvider, idp: TestProvider) -> None:
    client = oidc.OidcClient(
        issuer=idp.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="http://rp/cb"
    )
    auth = client.begin()
    with httpx.Client() as browser:
        code = parse_qs(urlsplit(browser.get(auth.url).headers["location"]).query)["code"][0]
    claims = client.validate_id_token(
        client.exchange_code(code=code, code_verifier=auth.code_verifier), nonce=auth.nonce
    )
    assert claims["sub"] == "vneid-001" and claims["iss"] == idp.issuer
    with pytest.raises(Unauthenticated) as err:
        client.exchange_code(code=code, code_verifier=auth.code_verifier)
    assert "invalid_grant" in err.value.details["reason"]
    with httpx.Client() as browser:
        code = parse_qs(urlsplit(browser.get(client.begin().url).headers["location"]).query)["code"][0]
    with pytest.raises(Unauthenticated):
        client.exchange_code(code=code, code_verifier="a-verifier-that-does-not-match-the-challenge")
    client.close()


def test_unreachable_provider_is_reported(platform: Platform) -> None:
    client = oidc.OidcClient(
        issuer="http://127.0.0.1:9", client_id=CLIENT_ID, client_secret=None, redirect_uri="http://rp/cb"
    )
    with pytest.raises(oidc.ProviderUnavailable) as err:
        client.begin()
    assert err.value.status == 502 and err.value.code == "oidc_provider_unavailable"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_malformed_and_unsigned_tokens_are_refused(idp: TestProvider, token: str) -> None:
    client = oidc.OidcClient(
        issuer=idp.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="http://rp/cb"
    )
    with pytest.raises(Unauthenticated) as err:
        client.validate_id_token(token, nonce="n")
    assert err.value.code == "oidc_failed"
    client.close()
