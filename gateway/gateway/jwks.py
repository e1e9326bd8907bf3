"""The key set services trust in production: the OIDC issuer's keys plus the gateway's own signing key.

Services set AUTH_JWKS_URL to the gateway's /gateway/jwks.json, so they verify both the callers' JWTs
(forwarded as they came) and the short-lived tokens the gateway signs for API-key calls, with one shared
TokenVerifier and no plain identity header anywhere. The issuer's set is fetched on every call (services
cache it themselves and ask again when they meet a new kid, so caching here would delay a rotation); if the
issuer is unreachable the last set it served is used.
"""

from __future__ import annotations

from typing import Any

import aiohttp


class JWKSPublisher:
    def __init__(self, issuer_jwks_url: str | None, own_key: dict[str, Any] | None, timeout_s: float) -> None:
        self.issuer_jwks_url, self.own_key = issuer_jwks_url, own_key
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._last_issuer_keys: list[dict[str, Any]] = []

    async def document(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        keys = list(await self._issuer_keys(http))
        if self.own_key is not None:
            keys.append(self.own_key)
        return {"keys": keys}

    async def _issuer_keys(self, http: aiohttp.ClientSession) -> list[dict[str, Any]]:
        if not self.issuer_jwks_url:
            return []
        try:
            async with http.get(self.issuer_jwks_url, timeout=self.timeout) as response:
                if response.status == 200:
                    self._last_issuer_keys = list((await response.json(content_type=None)).get("keys", []))
        except (aiohttp.ClientError, TimeoutError, ValueError):
            pass
        return self._last_issuer_keys
