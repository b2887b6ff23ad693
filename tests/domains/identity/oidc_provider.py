"""A small local OpenID provider for tests: discovery, authorize (auto-approve), token, JWKS."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from thanglong.core.testing.plugin import free_port

CLIENT_ID = "thanglong-test"
CLIENT_SECRET = "bí-mật-của-client"


@dataclass
class Grant:
    """What the provider remembers about one authorization code."""

    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    subject: str


@dataclass
class TestProvider:
    """The provider's state; tests change `subject`, `claims`, `forge_signature` or `nonce_override`."""

    __test__ = False

    issuer: str = ""
    subject: str = "vneid-001"
    claims: dict[str, Any] = field(default_factory=dict)
    forge_signature: bool = False
    nonce_override: str | None = None
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    rogue_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    grants: dict[str, Grant] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        """Go back to honest behaviour."""
        self.forge_signature = False
        self.nonce_override = None
        self.claims = {}
        self.subject = "vneid-001"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def build_app(state: TestProvider) -> Starlette:
    """Build the provider's ASGI app around its state."""

    async def discovery(_request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": state.issuer,
                "authorization_endpoint": f"{state.issuer}/authorize",
                "token_endpoint": f"{state.issuer}/token",
                "jwks_uri": f"{state.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(_request: Request) -> Response:
        return JSONResponse({"keys": [state.key.as_dict(private=False)]})

    async def authorize(request: Request) -> Response:
        q = dict(request.query_params)
        state.authorize_requests.append(q)
        if q.get("response_type") != "code" or q.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        state.grants[code] = Grant(
            CLIENT_ID, q["redirect_uri"], q.get("nonce", ""), q["code_challenge"], state.subject
        )
        target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(target, status_code=302)

    async def token(request: Request) -> Response:
        form = await request.form()
        auth = request.headers.get("authorization", "")
        decoded = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth.startswith("Basic ") else ""
        user, _, password = decoded.partition(":")
        # RFC 6749 section 2.3.1: the client form-urlencodes both parts before the Basic encoding.
        if (unquote_plus(user), unquote_plus(password)) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = state.grants.pop(str(form.get("code", "")), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if _s256(str(form.get("code_verifier", ""))) != grant.challenge:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "sub": grant.subject,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": state.nonce_override if state.nonce_override is not None else grant.nonce,
            "name": "Nguyễn Thị Định Danh",
            "preferred_username": "dinhdanh",
            **state.claims,
        }
        key = state.rogue_key if state.forge_signature else state.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return JSONResponse(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token}
        )

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
        ]
    )


class RunningProvider:
    """The provider served by uvicorn in a background thread on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.state = TestProvider(issuer=f"http://127.0.0.1:{self.port}")
        config = uvicorn.Config(
            build_app(self.state),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="none",
            http="h11",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="oidc-test-provider", daemon=True)

    def start(self) -> None:
        """Start serving and wait until the port accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test OpenID provider did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
