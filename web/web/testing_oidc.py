"""A real OpenID Provider for tests: Authlib's authorization server (authorization code + PKCE S256 required +
OpenID Connect id_token), served as a Starlette app; only the framework adapter and the in-memory storage are
written here. It signs RS256 JWT access tokens (RFC 9068) carrying the platform's claims (role, district_id,
school_ids, class_ids, name) and publishes its keys (/jwks) and /.well-known/openid-configuration.

It approves every authorization request for its one configured user (no login page). A test can make it sign
tokens with a key it does not publish (`unknown_key_for`: "access", "id") or for another audience (`audience`
of the access token, `id_token_audience`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import OpenIDCode
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class OpUser:
    sub: str
    name: str
    role: str
    district_id: str
    school_ids: list[str] = field(default_factory=list)
    class_ids: list[str] = field(default_factory=list)

    def get_user_id(self) -> str:
        return self.sub


@dataclass
class Client:
    """A public client (PKCE, no secret), as the web app is registered."""

    client_id: str
    redirect_uri: str
    id_token_signed_response_alg = "RS256"  # noqa: S105 (an algorithm name, not a secret)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in {"openid", "profile", "email"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: OpUser
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    def __init__(self, issuer: str, client: Client, user: OpUser, audience: str) -> None:
        self.issuer, self.client, self.user, self.audience = issuer, client, user, audience
        self.keys = KeySet([RSAKey.generate_key(2048, parameters={"kid": "op-key-1"}, private=True)])
        self.unknown_keys = KeySet([RSAKey.generate_key(2048, parameters={"kid": "op-key-1"}, private=True)])
        self.unknown_key_for: set[str] = set()  # "access", "id": sign those with a key /jwks does not publish
        self.id_token_audience: str | None = None  # None: the client's id
        self.codes: dict[str, Code] = {}
        self.server = _server(self)

    def signing_keys(self, token: str) -> KeySet:
        return self.unknown_keys if token in self.unknown_key_for else self.keys

    def reset(self, audience: str) -> None:
        self.unknown_key_for, self.id_token_audience, self.audience = set(), None, audience


def _server(provider: Provider) -> AuthorizationServer:
    class Server(AuthorizationServer):
        def query_client(self, client_id: str) -> Client | None:
            return provider.client if client_id == provider.client.client_id else None

        def save_token(self, token: dict, request: OAuth2Request) -> None:
            pass

        def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
            pass

        def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
            return request  # built by `_oauth2_request` (Starlette reads the body asynchronously)

        def handle_response(self, status: int, body: Any, headers: list) -> Response:
            if isinstance(body, dict):
                return JSONResponse(body, status_code=status, headers=dict(headers))
            return Response(body, status_code=status, headers=dict(headers))

    class CodeGrant(AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

        def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
            data = request.payload.data
            provider.codes[code] = Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=data.get("redirect_uri", ""),
                scope=request.scope,
                user=request.user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> OpUser:
            return authorization_code.user

    class IdToken(OpenIDCode):
        def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
            return any(c.nonce == nonce for c in provider.codes.values())

        def resolve_client_private_key(self, client: Client) -> KeySet:
            return provider.signing_keys("id")

        def get_client_claims(self, client: Client) -> dict:
            return {"iss": provider.issuer, "aud": [provider.id_token_audience or client.client_id]}

        def generate_user_info(self, user: OpUser, scope: str) -> dict:
            return {"sub": user.sub, "name": user.name}

    class AccessTokens(JWTBearerTokenGenerator):
        def get_jwks(self) -> KeySet:
            return provider.signing_keys("access")

        def get_audiences(self, client: Client, user: OpUser, scope: str) -> str:
            return provider.audience

        def get_extra_claims(self, client: Client, grant_type: str, user: OpUser, scope: str) -> dict:
            return {
                "role": user.role,
                "district_id": user.district_id,
                "school_ids": user.school_ids,
                "class_ids": user.class_ids,
                "name": user.name,
            }

    server = Server()
    server.register_token_generator("default", AccessTokens(issuer=provider.issuer))
    server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])
    return server


class _StarletteRequest(OAuth2Request):
    """Authlib's OAuth2Request over a Starlette request whose query and form were already read."""

    def __init__(self, request: Request, form: dict[str, str]) -> None:
        super().__init__(request.method, str(request.url), headers=dict(request.headers))
        self._args, self._form = dict(request.query_params), form
        self.payload = BasicOAuth2Payload({**self._args, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


async def _oauth2_request(request: Request) -> OAuth2Request:
    form = (
        {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if request.method == "POST"
        else {}
    )
    return _StarletteRequest(request, form)


def create_provider_app(provider: Provider) -> Starlette:
    server = provider.server

    async def discovery(request: Request) -> Response:
        base = provider.issuer
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
            }
        )

    async def jwks(request: Request) -> Response:
        return JSONResponse(provider.keys.as_dict(private=False))

    async def authorize(request: Request) -> Response:
        # The configured user is signed in at the provider and consents: no login page.
        oauth2 = await _oauth2_request(request)
        try:
            grant = server.get_consent_grant(oauth2, end_user=provider.user)
        except OAuth2Error as error:
            return server.handle_error_response(oauth2, error)
        return server.create_authorization_response(oauth2, grant_user=provider.user, grant=grant)

    async def token(request: Request) -> Response:
        return server.create_token_response(await _oauth2_request(request))

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
        ]
    )
