"""Sign-in, session cookie, CSRF and sign-out of the web app, over real HTTP (uvicorn); no API is called."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from plc_shared.settings import AuthSettings
from plc_shared.testing import serve_app
from web.config import Settings
from web.main import create_app
from web.oidc import OidcClient
from web.testing import web_settings


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, html
    return found[1]


@pytest.fixture(scope="module")
async def web(web_db):
    async with serve_app(create_app(web_settings(web_db))) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_the_dev_sign_in_sets_an_httponly_lax_session_cookie_and_sign_out_removes_it(web):
    web.cookies.clear()
    page = await web.get("/app/signin")
    assert page.status_code == 200 and "Development sign-in" in page.text
    form = {
        "csrftoken": csrf_from(page.text),
        "role": "teacher",
        "district": "d1",
        "school": "s1",
        "classes": "c1, c2",
        "name": "Ms Rivera",
        "next": "/app/flags",
    }
    signed_in = await web.post("/app/signin", data=form)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/app/flags"
    cookie = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith("plc_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # outside production (http on a laptop)

    # The token is bound to the session: the sign-in page's token (bound to the pre-session cookie) no longer
    # works once signed in; a page of the session gives the one that does.
    stale = await web.post("/app/signout", data={"csrftoken": form["csrftoken"]})
    assert stale.status_code == 403
    token = csrf_from((await web.get("/app/signin")).text)
    assert token != form["csrftoken"]
    out = await web.post("/app/signout", data={"csrftoken": token})
    assert out.status_code == 303
    removed = next(h for h in out.headers.get_list("set-cookie") if h.startswith("plc_session="))
    assert "Max-Age=0" in removed or "expires=Thu, 01 Jan 1970" in removed


async def test_a_form_without_its_csrf_token_is_refused_with_problem_json(web):
    web.cookies.clear()
    page = await web.get("/app/signin")
    assert page.status_code == 200
    refused = await web.post("/app/signin", data={"role": "teacher", "district": "d1"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 403
    forged = await web.post("/app/signin", data={"csrftoken": "forged", "role": "teacher", "district": "d1"})
    assert forged.status_code == 403


async def test_the_sign_in_form_is_protected_even_without_any_cookie(web):
    web.cookies.clear()
    refused = await web.post("/app/signin", data={"role": "teacher", "district": "d1"})
    assert refused.status_code == 403  # login CSRF: nobody can sign a victim in as someone else


async def test_pages_redirect_to_sign_in_and_never_redirect_elsewhere_after_it(web):
    web.cookies.clear()
    page = await web.get("/app/flags?school_id=s1")
    assert page.status_code == 303 and page.headers["location"].startswith("/app/signin?next=/app/flags")
    evil = await web.get("/app/signin", params={"next": "https://evil.example/"})
    assert 'name="next" value="/app/"' in evil.text


async def test_a_tampered_session_cookie_counts_as_signed_out(web):
    web.cookies.clear()
    web.cookies.set("plc_session", "eyJ0b2tlbiI6ImZvcmdlZCJ9.forged", path="/app")
    page = await web.get("/app/flags")
    assert page.status_code == 303 and page.headers["location"].startswith("/app/signin")
    web.cookies.clear()


def test_production_refuses_the_dev_session_secret_and_dev_sign_in():
    production = AuthSettings(
        environment="production", dev_signing_key=None, jwks_url="https://idp.example/jwks"
    )
    with pytest.raises(ValueError, match="WEB_SESSION_SECRET"):
        Settings(auth=production)
    prod = Settings(
        auth=production,
        session_secret="a-real-secret-from-the-vault",
        oidc_issuer="https://idp.example",
    )
    assert prod.secure_cookies and not prod.dev_sign_in


async def test_oidc_sign_in_redirects_with_code_pkce_s256_state_and_nonce(web_db):
    oidc = web_settings(
        web_db,
        oidc_issuer="https://idp.example",
        oidc_client_id="plc-web",
        oidc_authorization_endpoint="https://idp.example/authorize",
        oidc_token_endpoint="https://idp.example/token",
        public_url="https://plc.example",
    )
    async with serve_app(create_app(oidc)) as url, httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/app/signin")
        assert "Sign in with your district account" in page.text and "Development sign-in" not in page.text
        started = await client.get("/app/signin/oidc", params={"next": "/app/meetings"})
        assert started.status_code == 303
        target = urlsplit(started.headers["location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.example/authorize"
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == "plc-web"
        assert query["redirect_uri"] == "https://plc.example/app/signin/callback"
        assert query["code_challenge_method"] == "S256"
        assert "openid" in query["scope"].split()
        assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
        flow_cookie = next(h for h in started.headers.get_list("set-cookie") if h.startswith("plc_oidc="))
        assert "HttpOnly" in flow_cookie and "SameSite=lax" in flow_cookie

        # The challenge is the S256 of the verifier the flow cookie keeps for the callback.
        reader = OidcClient(oidc, httpx.AsyncClient())
        data = reader.flow(client.cookies.get("plc_oidc", path="/app/signin"), query["state"])
        digest = hashlib.sha256(data["verifier"].encode()).digest()
        assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        assert data["next"] == "/app/meetings"

        # An answer with another state is refused (problem), and so is one without the flow cookie.
        wrong = await client.get(
            "/app/signin/callback",
            params={"code": "c", "state": "other"},
            headers={"Accept": "application/json"},
        )
        assert wrong.status_code == 400 and wrong.headers["content-type"] == "application/problem+json"
