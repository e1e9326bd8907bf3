"""Who gets in, and how much: the gateway's limits applied to one request, in the order the proxy meets them.

1. a source past its budget of failed authentications is refused before anything is verified (429);
2. the caller is authenticated (401), refused credentials counted against the source;
3. token buckets per caller and per district (429);
4. after authorisation and the body, a slot of the caller's district for the upstream call (429 when full).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from plc_shared.auth import TokenOutOfDate
from plc_shared.errors import TooManyRequests, Unauthorized
from starlette.types import Scope

from gateway.auth import Authenticator, Caller
from gateway.config import Settings
from gateway.limits import DistrictSlots, FailedAuthThrottle, TokenBuckets, retry_after, source_of


class Admission:
    def __init__(self, settings: Settings, authenticator: Authenticator) -> None:
        self.authenticator = authenticator
        self.per_principal = TokenBuckets(settings.rate_per_principal, settings.burst_per_principal)
        self.per_tenant = TokenBuckets(settings.rate_per_tenant, settings.burst_per_tenant)
        self.auth_failures = FailedAuthThrottle(settings.auth_failures_per_source)
        self.districts = DistrictSlots(
            settings.district_concurrency, settings.district_queue, settings.district_wait_s
        )

    async def authenticate(self, scope: Scope, authorization: str | None, api_key: str | None) -> Caller:
        """A source past its budget of failed authentications gets 429 before anything is verified or looked
        up (a flood of forged tokens or made-up keys costs no signature check and no database query), except
        for credentials that passed before: the school's other users behind the same address go on."""
        source = source_of((scope.get("client") or (None,))[0])
        wait = await self.auth_failures.wait(source)
        if wait and not self.authenticator.proven(authorization, api_key):
            raise TooManyRequests(
                "Too many failed authentications from your address; retry later.",
                headers={"Retry-After": retry_after(wait)},
            )
        try:
            return await self.authenticator.authenticate(authorization, api_key)
        except TokenOutOfDate:
            raise  # a genuine token past its time: an honest client, not a guess
        except Unauthorized:
            if authorization or api_key is not None:  # credentials presented and refused
                await self.auth_failures.failed(source)
            raise

    def limit(self, caller: Caller) -> None:
        """The caller's bucket, then its district's (a token taken from the first is given back when the
        second refuses, so a refused request costs the caller nothing)."""
        principal = caller.principal
        wait = self.per_principal.take(caller.api_key_prefix or principal.subject)
        if not wait:
            wait = self.per_tenant.take(principal.district_id or "-")
            if wait:
                self.per_principal.give_back(caller.api_key_prefix or principal.subject)
        if wait:
            raise TooManyRequests(
                "Rate limit reached; retry later.", headers={"Retry-After": retry_after(wait)}
            )

    @contextlib.asynccontextmanager
    async def upstream_slot(self, caller: Caller) -> AsyncIterator[None]:
        async with self.districts.hold(caller.principal.district_id or "-"):
            yield
