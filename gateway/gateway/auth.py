"""Who is calling: a bearer JWT (forwarded to the service as is) or an API key (exchanged for a short-lived
token the gateway signs, so the services only ever trust signed tokens, never a plain identity header).

Internal tokens are HS256 with the shared dev key in dev. Production option: set
GATEWAY_INTERNAL_SIGNING_KEY to an RSA private key (PEM); the gateway then signs RS256 with kid
GATEWAY_INTERNAL_KEY_ID and serves its public key together with the issuer's keys at /gateway/jwks.json,
and the services point AUTH_JWKS_URL there (see jwks.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives import serialization
from plc_shared.auth import Principal, Role, TokenVerifier
from plc_shared.errors import ServiceUnavailable, Unauthorized
from plc_shared.settings import AuthSettings
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.models import ApiKey

logger = logging.getLogger(__name__)
KEY_PREFIX = "plc_"
LAST_USED_EVERY_S = 60.0
TOKEN_CACHE_S = 30.0


def new_api_key() -> tuple[str, str, str]:
    """(full key, lookup prefix, sha256 of the full key). The secret part has 256 bits of entropy, so a
    plain sha256 is enough (no password-style stretching needed) and lookups stay cheap."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Caller:
    principal: Principal
    forward_token: str  # what the service receives as `Authorization: Bearer …`
    api_key_prefix: str | None = None


@dataclass
class _CachedKey:
    row: ApiKey | None
    fetched: float
    token: str | None = None
    token_exp: float = 0.0


class InternalTokens:
    """Mints the token that carries an API key's identity to the services."""

    def __init__(self, auth: AuthSettings, ttl_s: int, private_key_pem: str | None, key_id: str) -> None:
        self._auth, self.ttl_s, self._kid = auth, ttl_s, key_id
        if private_key_pem:
            self._key, self._alg = private_key_pem, "RS256"
        elif auth.dev_signing_key is not None and auth.environment == "dev":
            self._key, self._alg = auth.dev_signing_key.get_secret_value(), "HS256"
        else:
            self._key, self._alg = None, ""

    def mint(self, row: ApiKey) -> tuple[str, float]:
        if self._key is None:
            raise Unauthorized("API keys need GATEWAY_INTERNAL_SIGNING_KEY in production.")
        now = int(time.time())
        claims = {
            "iss": self._auth.issuer,
            "aud": self._auth.audience,
            "sub": f"api-key:{row.prefix}",
            "iat": now,
            "exp": now + self.ttl_s,
            "role": Role.SIS_INTEGRATION.value,
            "district_id": row.district_id,
            "permissions": sorted(row.permissions),
        }
        headers = {"kid": self._kid} if self._alg == "RS256" else None
        return jwt.encode(claims, self._key, algorithm=self._alg, headers=headers), now + self.ttl_s

    def public_jwk(self) -> dict | None:
        """The public half of the RS256 signing key, as a JWK (None with the dev HS256 key)."""
        if self._alg != "RS256":
            return None
        public = serialization.load_pem_private_key(self._key.encode(), password=None).public_key()
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        return {**jwk, "kid": self._kid, "alg": "RS256", "use": "sig"}


def _api_key_in(authorization: str | None, api_key: str | None) -> str | None:
    """The API key of a call: the X-API-Key header, or a bearer credential that is a key."""
    if api_key is None and authorization and authorization[7:].startswith(KEY_PREFIX):
        return authorization[7:]
    return api_key


class Authenticator:
    def __init__(
        self,
        verifier: TokenVerifier,
        engine: AsyncEngine,
        internal: InternalTokens,
        *,
        key_cache_s: float,
    ) -> None:
        self._verifier, self._engine, self.internal = verifier, engine, internal
        self._key_cache_s = key_cache_s
        self._keys: dict[str, _CachedKey] = {}
        self._tokens: dict[str, tuple[Principal, float, float]] = {}  # principal, fresh until, exp

    async def authenticate(self, authorization: str | None, api_key: str | None) -> Caller:
        api_key = _api_key_in(authorization, api_key)
        if api_key is not None:
            return await self._by_api_key(api_key)
        if not authorization or authorization[:7].lower() != "bearer ":
            raise Unauthorized("A bearer token or an API key is required.")
        token = authorization[7:]
        return Caller(await self._verify(token), token)

    def proven(self, authorization: str | None, api_key: str | None) -> bool:
        """True when these very credentials passed before and are still within their own lifetime (a token
        until its `exp`, a key until revoked): found in memory, without verifying or looking anything up.
        What lets a school's users through while the address they share is throttled."""
        api_key = _api_key_in(authorization, api_key)
        if api_key is not None:
            parts = api_key.split("_")
            cached = self._keys.get(parts[1]) if len(parts) >= 3 else None
            row = cached.row if cached is not None else None
            return (
                row is not None
                and row.revoked_at is None
                and hmac.compare_digest(row.secret_sha256, hash_key(api_key))
            )
        if not authorization or authorization[:7].lower() != "bearer ":
            return False
        cached_token = self._tokens.get(authorization[7:])
        return cached_token is not None and cached_token[2] > time.time()

    async def _verify(self, token: str) -> Principal:
        """Verified tokens are remembered for a short while (a verify per request costs more than routing),
        never past their expiry and never longer than TOKEN_CACHE_S, so a key dropped from the JWKS stops
        working soon."""
        cached = self._tokens.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal = await self._verifier.verify(token)
        if len(self._tokens) > 50_000:
            self._tokens.clear()
        exp = float(jwt.decode(token, options={"verify_signature": False}).get("exp", 0))
        self._tokens[token] = (principal, min(exp, time.time() + TOKEN_CACHE_S), exp)
        return principal

    async def _by_api_key(self, key: str) -> Caller:
        parts = key.split("_")
        if len(parts) < 3 or not key.startswith(KEY_PREFIX):
            raise Unauthorized("The API key is malformed.")
        cached = await self._lookup(parts[1])
        caller = self._key_caller(key, cached)
        row = cached.row
        assert row is not None  # _key_caller refused a missing row
        if row.last_used_at is None or time.time() - row.last_used_at.timestamp() > LAST_USED_EVERY_S:
            await self._touch(row)
        return caller

    def _key_caller(self, key: str, cached: _CachedKey) -> Caller:
        row = cached.row
        if (
            row is None
            or row.revoked_at is not None
            or not hmac.compare_digest(row.secret_sha256, hash_key(key))
        ):
            raise Unauthorized("The API key is not valid.")
        if cached.token is None or cached.token_exp - time.time() < self.internal.ttl_s / 2:
            cached.token, cached.token_exp = self.internal.mint(row)
        principal = Principal(
            subject=f"api-key:{row.prefix}",
            role=Role.SIS_INTEGRATION,
            district_id=row.district_id,
            permissions=frozenset(row.permissions),
            permission_bound=True,
        )
        return Caller(principal, cached.token, api_key_prefix=row.prefix)

    async def _lookup(self, prefix: str) -> _CachedKey:
        cached = self._keys.get(prefix)
        if cached is not None and time.monotonic() - cached.fetched < self._key_cache_s:
            return cached
        try:
            async with self._engine.connect() as conn:
                query = select(ApiKey.__table__).where(ApiKey.prefix == prefix)
                found = (await conn.execute(query)).first()
        except (OSError, DBAPIError) as exc:
            raise ServiceUnavailable("API keys cannot be checked right now; retry shortly.") from exc
        row = ApiKey(**found._mapping) if found is not None else None
        if len(self._keys) > 100_000:
            self._keys.clear()
        self._keys[prefix] = cached = _CachedKey(row, time.monotonic())
        return cached

    async def _touch(self, row: ApiKey) -> None:
        row.last_used_at = datetime.now(UTC)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=row.last_used_at)
                )
        except (OSError, DBAPIError):
            logger.warning("could not record the last use of API key %s", row.prefix)

    def forget(self, prefix: str) -> None:
        """A revoke on this replica takes effect at once (other replicas: within the key cache time)."""
        self._keys.pop(prefix, None)
