"""OIDC sign-in: authorization code with PKCE (S256), the request and challenge built with Authlib's OAuth 2
primitives (its httpx integration is deprecated; the token request goes over the app's own httpx client).

The state, the nonce, the PKCE verifier and where to go afterwards travel in a short-lived signed cookie
(HttpOnly, SameSite=Lax so that it comes back on the issuer's top-level redirect); the callback checks the
state, exchanges the code with the verifier, and verifies the id_token (signature through the issuer's JWKS,
iss, aud = our client id, exp, and the nonce of this sign-in, so a token from another sign-in cannot be
replayed); its `name` is the name shown. The access token becomes the session's API token (verified as the
gateway will: AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from plc_shared.errors import BadRequest, ServiceUnavailable

from web.config import Settings

FLOW_COOKIE = "plc_oidc"
FLOW_MAX_AGE_S = 600
CALLBACK_PATH = "/app/signin/callback"


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str | None = None


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    name: str | None


class OidcClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.settings, self._http = settings, http
        self._signer = URLSafeTimedSerializer(settings.session_secret.get_secret_value(), salt="plc-web-oidc")
        self._endpoints: Endpoints | None = None
        self._jwks: jwt.PyJWKClient | None = None

    @property
    def redirect_uri(self) -> str:
        return self.settings.public_url.rstrip("/") + CALLBACK_PATH

    async def endpoints(self) -> Endpoints:
        settings = self.settings
        if settings.oidc_authorization_endpoint and settings.oidc_token_endpoint:
            return Endpoints(
                settings.oidc_authorization_endpoint, settings.oidc_token_endpoint, settings.auth.jwks_url
            )
        if self._endpoints is None:
            url = f"{(settings.oidc_issuer or '').rstrip('/')}/.well-known/openid-configuration"
            try:
                found = (await self._http.get(url)).raise_for_status().json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ServiceUnavailable("The sign-in provider cannot be reached; try again.") from exc
            self._endpoints = Endpoints(
                found["authorization_endpoint"],
                found["token_endpoint"],
                found.get("jwks_uri") or settings.auth.jwks_url,
            )
        return self._endpoints

    async def begin(self, response: Response, next_path: str) -> str:
        """The issuer's authorization URL (code, S256 challenge, state, nonce); the flow's secrets go in a cookie."""
        verifier, state, nonce = generate_token(64), generate_token(32), generate_token(32)
        url = prepare_grant_uri(
            (await self.endpoints()).authorization,
            client_id=self.settings.oidc_client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.settings.oidc_scope,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        flow = self._signer.dumps({"state": state, "nonce": nonce, "verifier": verifier, "next": next_path})
        response.set_cookie(
            FLOW_COOKIE,
            flow,
            max_age=FLOW_MAX_AGE_S,
            path="/app/signin",
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )
        return url

    def flow(self, cookie: str | None, state: str | None) -> dict[str, Any]:
        try:
            data = self._signer.loads(cookie or "", max_age=FLOW_MAX_AGE_S)
        except BadSignature as exc:
            raise BadRequest("The sign-in took too long or was started elsewhere; start again.") from exc
        if not state or state != data.get("state"):
            raise BadRequest("The sign-in answer does not match the sign-in that was started.")
        return data

    async def finish(self, code: str, flow: dict[str, Any]) -> SignedIn:
        """Exchange the code (with the PKCE verifier) for tokens and verify the id_token; the access token
        calls the API."""
        secret = self.settings.oidc_client_secret
        extra = {"client_secret": secret.get_secret_value()} if secret else {}
        body = prepare_token_request(
            "authorization_code",
            redirect_uri=self.redirect_uri,
            code=code,
            code_verifier=flow.get("verifier"),
            client_id=self.settings.oidc_client_id,
            **extra,
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        endpoints = await self.endpoints()
        try:
            response = await self._http.post(endpoints.token, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("The sign-in provider cannot be reached; try again.") from exc
        try:
            token = response.json()
        except ValueError:
            token = {}
        if response.is_error or not isinstance(token, dict) or "access_token" not in token:
            said = token.get("error_description") or token.get("error") if isinstance(token, dict) else None
            reason = f" ({said})" if said else f" (HTTP {response.status_code})"
            raise BadRequest(f"The identity provider did not accept the sign-in{reason}; start again.")
        claims = await self._id_token_claims(token.get("id_token"), flow.get("nonce"), endpoints)
        return SignedIn(token["access_token"], claims.get("name"))

    async def _id_token_claims(
        self, id_token: Any, nonce: str | None, endpoints: Endpoints
    ) -> dict[str, Any]:
        """The id_token's claims once its signature (issuer's JWKS), iss, aud, exp and nonce check out."""
        if not isinstance(id_token, str) or not endpoints.jwks:
            raise BadRequest("The identity provider sent no verifiable id_token; start again.")
        if self._jwks is None:
            auth = self.settings.auth
            self._jwks = jwt.PyJWKClient(
                endpoints.jwks,
                cache_keys=True,
                lifespan=auth.jwks_cache_seconds,
                cooldown_duration=auth.jwks_refresh_cooldown_seconds,
                timeout=auth.jwks_timeout_seconds,
            )
        try:
            key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, id_token)  # blocking fetch
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=self.settings.auth.algorithms,
                audience=self.settings.oidc_client_id,
                issuer=self.settings.oidc_issuer,
                leeway=self.settings.auth.leeway_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
            )
        except jwt.PyJWTError as exc:
            raise BadRequest(
                f"The identity provider's id_token does not verify ({exc}); start again."
            ) from exc
        if not nonce or claims["nonce"] != nonce:
            raise BadRequest("The id_token belongs to another sign-in (nonce); start again.")
        return claims
