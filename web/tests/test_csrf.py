"""CSRF bound to the session, and forms read defensively: over real HTTP on the web app, and through the real
gateway in front of it (the pooled connection a 500 used to poison: 3 of 30 POSTs got 502)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from plc_shared.components import GATEWAY
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database, serve_app
from web.main import create_app
from web.testing import web_settings

AUTH = AuthSettings(environment="dev")

SIGN_IN = {"role": "teacher", "district": "d1", "school": "s1", "classes": "c1", "name": "Ms Rivera"}


def token_of(html: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', html)[1]


@pytest.fixture(scope="module")
async def web(web_db):
    async with serve_app(create_app(web_settings(web_db))) as url:
        yield url


async def signed_in_browser(url: str) -> tuple[httpx.AsyncClient, str]:
    """A browser signed in through the form, and the token of its session's pages."""
    client = httpx.AsyncClient(base_url=url)
    page = await client.get("/app/signin")
    assert (
        await client.post("/app/signin", data={**SIGN_IN, "csrftoken": token_of(page.text)})
    ).status_code == 303
    return client, token_of((await client.get("/app/signin")).text)


async def test_a_token_works_only_with_the_session_it_was_made_for(web):
    alice, alice_token = await signed_in_browser(web)
    bob, bob_token = await signed_in_browser(web)
    try:
        assert alice_token != bob_token
        refused = await bob.post(
            "/app/signout", data={"csrftoken": alice_token}
        )  # Alice's token, Bob's cookie
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
        refused = await bob.post("/app/signout", headers={"X-CSRFToken": alice_token})
        assert refused.status_code == 403
        assert (await bob.post("/app/signout", headers={"X-CSRFToken": bob_token})).status_code == 303
        # Bob signs in again: the token of his ended session is worth nothing in the new one.
        page = await bob.get("/app/signin")
        again = await bob.post("/app/signin", data={**SIGN_IN, "csrftoken": token_of(page.text)})
        assert again.status_code == 303
        assert (await bob.post("/app/signout", data={"csrftoken": bob_token})).status_code == 403
    finally:
        await alice.aclose()
        await bob.aclose()


async def test_the_pre_session_cookie_is_httponly_and_set_only_when_a_page_shows_a_token(web):
    async with httpx.AsyncClient(base_url=web) as client:
        health = await client.get("/app/static/web/app.css")
        assert "plc_csrf" not in health.headers.get("set-cookie", "")
        page = await client.get("/app/signin")
        cookie = next(h for h in page.headers.get_list("set-cookie") if h.startswith("plc_csrf="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
        assert token_of(page.text) == token_of((await client.get("/app/signin")).text)  # stable per browser


MALFORMED = [
    ("application/x-www-form-urlencoded", b"csrftoken=abc&name=\xff\xfe", 400),  # not UTF-8
    ("application/x-www-form-urlencoded", b"csrftoken=abc&name=%ff", 400),  # escapes that are not UTF-8
    ("multipart/form-data", b"--x\r\n\r\n", 400),  # no boundary in the content type
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n", 400),
    ("multipart/form-data; boundary=x", b"garbage without any boundary line", 400),
    ("text/plain", b"csrftoken=abc", 403),  # a form content type or the header, nothing else
    ("application/x-www-form-urlencoded", b"a=" + b"x" * 1_100_000, 413),
]


@pytest.mark.parametrize(("content_type", "body", "status"), MALFORMED)
async def test_a_malformed_form_is_a_4xx_problem_before_sign_in_never_a_500(web, content_type, body, status):
    async with httpx.AsyncClient(base_url=web, cookies={"plc_csrf": "any-cookie"}) as client:
        response = await client.post("/app/signin", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


async def test_a_multipart_form_with_its_token_first_passes_and_a_file_before_it_is_refused(web):
    async with httpx.AsyncClient(base_url=web) as client:
        token = token_of((await client.get("/app/signin")).text)
        fields = {**SIGN_IN, "csrftoken": token}
        ordered = await client.post("/app/signin", files={"x": (None, "")}, data=fields)
        assert ordered.status_code == 303, ordered.text  # data fields go first in httpx's multipart body
        boundary = "b0undary"
        file_first = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="package"; filename="a.zip"\r\n\r\nPK\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n{token}\r\n--{boundary}--\r\n'
        )
        refused = await client.post(
            "/app/signin",
            content=file_first.encode(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert refused.status_code == 403 and "before its files" in refused.json()["detail"]


async def test_malformed_forms_through_the_gateway_never_break_the_next_users_post(web, create_database):
    """Through the real gateway and its pooled connection to the web app: twenty malformed forms (with a
    cookie), interleaved with thirty users signing in; every sign-in answers 303, none 502."""
    settings = GatewaySettings(
        database_url=await migrated_database(create_database, GATEWAY),
        auth=AUTH,
        log_level="WARNING",
        upstreams={"web": web},
    )
    async with serve_app(gateway_app(settings)) as gateway:

        async def malformed(n: int) -> int:
            async with httpx.AsyncClient(base_url=gateway, cookies={"plc_csrf": f"c{n}"}) as client:
                content_type, body, _status = MALFORMED[n % len(MALFORMED)]
                response = await client.post(
                    "/app/signin", content=body, headers={"Content-Type": content_type}
                )
                return response.status_code

        async def user() -> int:
            async with httpx.AsyncClient(base_url=gateway) as client:
                page = await client.get("/app/signin")
                response = await client.post(
                    "/app/signin", data={**SIGN_IN, "csrftoken": token_of(page.text)}
                )
                return response.status_code

        statuses = await asyncio.gather(*(malformed(n) for n in range(20)), *(user() for _ in range(30)))
    assert statuses[:20] == [MALFORMED[n % len(MALFORMED)][2] for n in range(20)]
    assert statuses[20:] == [303] * 30
