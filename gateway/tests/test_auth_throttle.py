"""Failed authentications per source address: a flood of forged tokens or made-up keys is answered 429 with
Retry-After once past the budget, while other addresses, and the callers an address already proved, go on.

The second address is real: the client binds 127.0.0.2 (Linux answers for all of 127.0.0.0/8), so the
gateway sees two sources exactly as it would see two networks."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest
from gateway.limits import FailedAuthThrottle, source_of
from plc_shared.auth import Role
from plc_shared.settings import DEV_SIGNING_KEY

from .conftest import bearer, gateway_settings, running_gateway, token

BUDGET = 20
# An hour's window, so that a flood slowed down by a busy machine (2,000 requests can take over a minute) does
# not see its first failures leave the window while it runs.
WINDOW = "hour"
PATH = "/assessments/districts/d1/assessments"


@pytest.fixture(scope="module")
async def throttled(gateway_db, upstream):
    settings = gateway_settings(gateway_db, upstream, auth_failures_per_source=f"{BUDGET}/{WINDOW}")
    async with running_gateway(settings) as client:
        yield client


def from_address(client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=client.base_url, transport=transport, timeout=10)


def forged() -> dict[str, str]:
    """A well-formed token signed with a key the gateway does not know."""
    claims = {"iss": "plc-dev", "aud": "plc-suite", "sub": "x", "iat": int(time.time()), "exp": 2**31}
    claims |= {"role": "district_admin", "district_id": "d1"}
    return {"Authorization": f"Bearer {jwt.encode(claims, 'not-the-key-' * 4, algorithm='HS256')}"}


async def test_two_thousand_forged_tokens_meet_429_after_the_budget_and_others_are_untouched(throttled):
    good = bearer(Role.TEACHER)
    async with (
        from_address(throttled, "127.0.0.1") as attacker,
        from_address(throttled, "127.0.0.2") as other,
    ):
        assert (await attacker.get(PATH, headers=good)).status_code == 200  # proven before the flood
        statuses: dict[int, int] = {}
        retry_after: set[str] = set()

        async def flood(n: int) -> None:
            for _ in range(n):
                response = await attacker.get(PATH, headers=forged())
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 429:
                    assert response.headers["content-type"] == "application/problem+json"
                    retry_after.add(response.headers["retry-after"])

        async def another_network() -> list[int]:
            return [(await other.get(PATH, headers=bearer(Role.TEACHER))).status_code for _ in range(20)]

        *_, others = await asyncio.gather(*(flood(250) for _ in range(8)), another_network())
        # 8 in flight at most, and one more if a failure leaves the sliding window meanwhile
        assert BUDGET <= statuses.get(401, 0) <= BUDGET + 8 + 1
        assert statuses[429] == 2000 - statuses[401] and set(statuses) == {401, 429}
        assert all(1 <= int(seconds) <= 3600 for seconds in retry_after)
        assert others == [200] * 20  # another address never notices
        # The flooded address: a caller it proved moments ago goes on; credentials it never proved wait.
        assert (await attacker.get(PATH, headers=good)).status_code == 200
        assert (await attacker.get(PATH, headers=bearer(Role.TEACHER, subject="new"))).status_code == 429
        made_up_key = {"X-API-Key": "plc_0123456789ab_" + "x" * 43}
        assert (await attacker.get(PATH, headers=made_up_key)).status_code == 429


async def test_expired_genuine_tokens_and_missing_credentials_are_not_counted(throttled):
    expired = {"Authorization": f"Bearer {token(Role.TEACHER, ttl_seconds=-120)}"}
    async with from_address(throttled, "127.0.0.3") as client:
        for _ in range(BUDGET * 2):
            assert (await client.get(PATH, headers=expired)).status_code == 401
            assert (await client.get(PATH)).status_code == 401
        fresh = bearer(Role.TEACHER, subject="after-the-stale-ones")
        assert (await client.get(PATH, headers=fresh)).status_code == 200


async def test_made_up_api_keys_count_like_forged_tokens(throttled):
    async with from_address(throttled, "127.0.0.4") as client:
        codes = [
            (await client.get(PATH, headers={"X-API-Key": f"plc_{n:012x}_{'k' * 43}"})).status_code
            for n in range(BUDGET + 5)
        ]
    assert codes[:BUDGET] == [401] * BUDGET and codes[BUDGET:] == [429] * 5


def test_ipv6_sources_are_counted_by_their_64_and_mapped_ipv4_as_ipv4():
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of("::ffff:192.0.2.7") == source_of("192.0.2.7") == "192.0.2.7"
    assert source_of(None) == "-"


async def test_the_window_slides_the_budget_back():
    throttle = FailedAuthThrottle("3/second")
    for _ in range(3):
        assert await throttle.wait("a") == 0
        await throttle.failed("a")
    assert await throttle.wait("a") >= 1.0 and await throttle.wait("b") == 0
    await asyncio.sleep(2.1)  # a sliding window counter forgets the old window's hits within two windows
    assert await throttle.wait("a") == 0


def test_the_rule_is_checked_at_start():
    from gateway.config import Settings

    with pytest.raises(ValueError, match="auth_failures_per_source"):
        Settings(auth_failures_per_source="thirty a minute")
    assert DEV_SIGNING_KEY  # the forged tokens above are signed with something else
