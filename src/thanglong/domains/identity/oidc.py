"""OpenID Connect relying party: Authorization Code flow with PKCE, state and nonce, RS256 ID tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from thanglong.core.errors import ThangLongError, Unauthenticated

ALGORITHMS = ("RS256",)
DEFAULT_SCOPE = "openid profile email"


class ProviderUnavailable(ThangLongError):
    """The identity provider could not be reached or answered nonsense (HTTP 502)."""

    status = 502


def _unavailable(detail: str) -> ProviderUnavailable:
    return ProviderUnavailable(
        "oidc_provider_unavailable",
        "Không kết nối được với hệ thống định danh. Vui lòng thử lại sau.",
        "The identity provider is unavailable. Please try again later.",
        reason=detail[:200],
    )


def _refused(detail: str) -> Unauthenticated:
    return Unauthenticated(
        "oidc_failed",
        "Đăng nhập qua hệ thống định danh không thành công.",
        "Single sign-on failed.",
        reason=detail[:200],
    )


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints a provider publishes at /.well-known/openid-configuration."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class AuthRequest:
    """An authorization request: the URL to send the browser to and the secrets to keep."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def code_challenge(verifier: str) -> str:
    """Return the S256 PKCE challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """Talk to one OpenID provider; discovery and keys are fetched lazily and cached."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        scope: str = DEFAULT_SCOPE,
        http: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
        leeway_seconds: int = 60,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scope = scope
        self._http = http
        self._now = now
        self._leeway = leeway_seconds
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # A login makes a handful of calls; a short-lived client per call leaves no pooled socket
        # behind when the app is discarded. An injected client (tests) is used as given.
        if self._http is not None:
            return self._http.request(method, url, **kwargs)
        with httpx.Client(timeout=10.0, follow_redirects=False) as client:
            response = client.request(method, url, **kwargs)
            response.read()
            return response

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self._request("GET", url, headers={"accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable(f"GET {url}: {exc}") from exc
        if not isinstance(body, dict):
            raise _unavailable(f"GET {url}: not a JSON object")
        return body

    def metadata(self) -> ProviderMetadata:
        """Return the provider's discovery document, checking that it names the configured issuer."""
        with self._lock:
            if self._metadata is None:
                doc = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
                try:
                    meta = ProviderMetadata(
                        issuer=str(doc["issuer"]),
                        authorization_endpoint=str(doc["authorization_endpoint"]),
                        token_endpoint=str(doc["token_endpoint"]),
                        jwks_uri=str(doc["jwks_uri"]),
                        token_auth_methods=tuple(
                            doc.get("token_endpoint_auth_methods_supported") or ("client_secret_basic",)
                        ),
                    )
                except KeyError as exc:
                    raise _unavailable(f"discovery document lacks {exc}") from exc
                # OpenID Connect Discovery 1.0 section 4.3: the issuer must match exactly.
                if meta.issuer.rstrip("/") != self.issuer:
                    raise _unavailable(f"discovery names issuer {meta.issuer!r}, expected {self.issuer!r}")
                self._metadata = meta
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            cached = self._keys
        if cached is not None and not refresh:
            return cached
        doc = self._get_json(self.metadata().jwks_uri)
        try:
            keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise _unavailable(f"unusable JWKS: {exc}") from exc
        with self._lock:
            self._keys = keys
        return keys

    def begin(self) -> AuthRequest:
        """Start a sign-in: fresh state, nonce and PKCE verifier, and the authorization URL."""
        meta = self.metadata()
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "scope": self.scope,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in meta.authorization_endpoint else "?"
        return AuthRequest(f"{meta.authorization_endpoint}{separator}{query}", state, nonce, verifier)

    def exchange_code(self, *, code: str, code_verifier: str) -> str:
        """Trade an authorization code for tokens; return the raw ID token."""
        meta = self.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
        }
        headers = {"accept": "application/json"}
        if self.client_secret is not None and "client_secret_basic" in meta.token_auth_methods:
            # RFC 6749 section 2.3.1: both parts are form-urlencoded before the Basic encoding.
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self.client_secret)}"
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            form["client_id"] = self.client_id
            if self.client_secret is not None:
                form["client_secret"] = self.client_secret
        try:
            response = self._request("POST", meta.token_endpoint, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise _unavailable(f"token endpoint: {exc}") from exc
        if response.status_code >= 500:
            raise _unavailable(f"token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise _unavailable("token endpoint answered no JSON") from exc
        if response.status_code != 200 or not isinstance(body, dict) or "id_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            raise _refused(f"token endpoint refused the code: {error or response.status_code}")
        return str(body["id_token"])

    def validate_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Check the ID token's RS256 signature against the provider's keys and its claims."""
        try:
            token = self._decode(id_token, self._key_set())
        except InvalidKeyIdError:
            # The provider may have rotated its keys since they were cached.
            try:
                token = self._decode(id_token, self._key_set(refresh=True))
            except JoseError as exc:
                raise _refused(f"ID token: {exc}") from exc
        except JoseError as exc:
            raise _refused(f"ID token: {exc}") from exc
        claims = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            now=int(self._now()),
            leeway=self._leeway,
            iss={"essential": True, "value": self.metadata().issuer},
            sub={"essential": True},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise _refused(f"ID token claims: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise _refused("ID token for several audiences without our client as azp")
        return claims

    @staticmethod
    def _decode(id_token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        except JoseError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            # Garbage that is not even a compact JWS surfaces as plain Python errors.
            raise _refused(f"malformed ID token: {exc}") from exc

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            self._http.close()
