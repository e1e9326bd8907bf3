"""The OIDC sign-in end to end, over real HTTP: the web app against a real OpenID Provider (Authlib's
authorization server, oidc_provider.py): authorization code + PKCE S256 required, an id_token bound to the
sign-in's nonce, RS256 JWT access tokens that the suite's verifier accepts through the provider's JWKS."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from itsdangerous import URLSafeTimedSerializer
from plc_shared import infra
from plc_shared.auth import TokenVerifier
from plc_shared.components import WEB
from plc_shared.errors import install_error_handlers
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database, serve_app
from web.config import Settings
from web.main import create_app
from web.testing_oidc import Client, OpUser, Provider, create_provider_app

CLIENT_ID = "plc-web"
AUDIENCE = "plc-suite"
HTML = {"Accept": "text/html"}
MS_RIVERA = OpUser(
    sub="idp|4711",
    name="Ms Rivera",
    role="school_leader",
    district_id="d-north",
    school_ids=["s-lincoln"],
    class_ids=["c-7a"],
)


ROSTER: dict[str, dict] = {}  # the staff records the fake gateway's /roster/me knows, by subject


def gateway_app(auth: AuthSettings) -> FastAPI:
    """Where the web app sends the user's token: it answers the start page's reads only for a token the suite's
    own verifier accepts (as the real gateway does), so the page shows the school only with the OP's token."""
    app = FastAPI()
    install_error_handlers(app)
    verifier = TokenVerifier(auth)

    @app.get("/assessments/roster/schools")
    async def schools(request: Request) -> JSONResponse:
        principal = await verifier.verify(request.headers.get("authorization", "").removeprefix("Bearer "))
        return JSONResponse([{"sourced_id": s, "name": "Lincoln Elementary"} for s in principal.school_ids])

    @app.get("/assessments/assessments")
    async def assessments() -> JSONResponse:
        return JSONResponse([])

    @app.get("/assessments/roster/me")
    async def me(request: Request) -> JSONResponse:
        """As the assessments service's route: the staff record of the verified token's subject, else a 404."""
        principal = await verifier.verify(request.headers.get("authorization", "").removeprefix("Bearer "))
        found = ROSTER.get(principal.subject)
        return (
            JSONResponse(found)
            if found
            else JSONResponse({"title": "Not found", "status": 404}, status_code=404)
        )

    return app


class RoundTrip:
    def __init__(self, provider: Provider, web: httpx.AsyncClient, settings: Settings) -> None:
        self.provider, self.web, self.settings = provider, web, settings
        self.op = httpx.AsyncClient()  # the browser, at the provider

    async def start(self, next_path: str = "/app/") -> tuple[str, dict[str, str]]:
        """The sign-in page's button: the 303 to the provider's authorize endpoint and its query."""
        self.web.cookies.clear()
        page = await self.web.get("/app/signin", headers=HTML)
        assert page.status_code == 200 and 'href="/app/signin/oidc' in page.text
        started = await self.web.get("/app/signin/oidc", params={"next": next_path})
        assert started.status_code == 303
        location = started.headers["location"]
        return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def authorize(self, location: str) -> dict[str, str]:
        """The provider approves its user and redirects back to the web's callback: the callback's query."""
        answer = await self.op.get(location)
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        assert (
            f"{back.scheme}://{back.netloc}{back.path}" == f"{self.settings.public_url}/app/signin/callback"
        )
        return {k: v[0] for k, v in parse_qs(back.query).items()}

    async def callback(self, query: dict[str, str]) -> httpx.Response:
        return await self.web.get("/app/signin/callback", params=query, headers=HTML)

    def flow_cookie(self, **changes: str | None) -> None:
        """Rewrite the web's flow cookie as someone holding the session secret could (tests only)."""
        signer = URLSafeTimedSerializer(self.settings.session_secret.get_secret_value(), salt="plc-web-oidc")
        data = signer.loads(self.web.cookies.get("plc_oidc", path="/app/signin"))
        data.update(changes)
        self.web.cookies.set("plc_oidc", signer.dumps(data), path="/app/signin")


@pytest.fixture(scope="module")
async def trip(create_database):
    op_port = infra.free_port()
    issuer = f"http://127.0.0.1:{op_port}"
    auth = AuthSettings(
        environment="dev",
        issuer=issuer,
        audience=AUDIENCE,
        jwks_url=f"{issuer}/jwks",
        dev_signing_key=None,
        jwks_refresh_cooldown_seconds=0,
    )
    web_port = infra.free_port()
    public_url = f"http://127.0.0.1:{web_port}"
    provider = Provider(issuer, Client(CLIENT_ID, f"{public_url}/app/signin/callback"), MS_RIVERA, AUDIENCE)
    async with (
        serve_app(create_provider_app(provider), port=op_port),
        serve_app(gateway_app(auth)) as gateway_url,
    ):
        settings = Settings(
            auth=auth,
            database_url=await migrated_database(create_database, WEB),
            log_level="WARNING",
            gateway_url=gateway_url,
            public_url=public_url,
            oidc_issuer=issuer,
            oidc_client_id=CLIENT_ID,
        )
        async with (
            serve_app(create_app(settings), port=web_port) as url,
            httpx.AsyncClient(base_url=url) as web,
        ):
            round_trip = RoundTrip(provider, web, settings)
            try:
                yield round_trip
            finally:
                await round_trip.op.aclose()


def session_cookie(response: httpx.Response) -> str | None:
    return next((h for h in response.headers.get_list("set-cookie") if h.startswith("plc_session=")), None)


async def test_a_user_signs_in_through_the_provider_with_pkce_and_sees_their_name_and_role(trip):
    location, query = await trip.start("/app/")
    assert location.startswith(f"{trip.provider.issuer}/authorize?")  # found through the discovery document
    assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID

    back = await trip.authorize(location)
    assert back["state"] == query["state"] and back["code"]
    # The provider keeps the challenge with the code; the web proves it with the verifier from its flow cookie.
    assert trip.provider.codes[back["code"]].code_challenge == query["code_challenge"]

    signed_in = await trip.callback(back)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/app/", signed_in.text
    cookie = session_cookie(signed_in)
    assert cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/app" in cookie
    assert back["code"] not in trip.provider.codes  # a code is used once

    home = await trip.web.get("/app/", headers=HTML)
    assert home.status_code == 200
    assert "Welcome, Ms Rivera" in home.text  # the id_token's name, not the subject
    assert re.search(r"Ms Rivera · School leader · d-north", home.text)
    assert "Flags at Lincoln Elementary" in home.text  # the API answered the OP's token (JWKS, iss, aud)

    # The code cannot be exchanged a second time (the provider deleted it): no new session.
    _, query = await trip.start()
    replay = await trip.callback({"code": back["code"], "state": query["state"]})
    assert replay.status_code == 400 and session_cookie(replay) is None
    assert "did not accept the sign-in (Invalid &#39;code&#39; in request.)" in replay.text


@pytest.mark.parametrize("verifier", ["tampered", None], ids=["tampered-verifier", "missing-verifier"])
async def test_a_wrong_or_missing_pkce_verifier_is_refused_by_the_provider_and_no_session_starts(
    trip, verifier
):
    location, _ = await trip.start()
    back = await trip.authorize(location)
    trip.flow_cookie(verifier=None if verifier is None else "x" * 64)
    refused = await trip.callback(back)
    assert refused.status_code == 400 and session_cookie(refused) is None
    assert refused.headers["content-type"].startswith("text/html")
    assert "The identity provider did not accept the sign-in" in refused.text
    reason = "(Code challenge failed.)" if verifier else "(Missing &#39;code_verifier&#39;)"
    assert reason in refused.text, refused.text
    assert (await trip.web.get("/app/", headers=HTML)).headers.get("location") == "/app/signin"


async def test_an_authorization_for_another_challenge_is_refused(trip):
    """An attacker's authorization request (their own challenge) answered to the victim's callback."""
    location, query = await trip.start()
    parts = urlsplit(location)
    forged = {**query, "code_challenge": create_s256_code_challenge("y" * 64)}
    back = await trip.authorize(urlunsplit(parts._replace(query=urlencode(forged))))
    refused = await trip.callback(back)
    assert refused.status_code == 400 and session_cookie(refused) is None
    assert "Code challenge failed" in refused.text


async def test_a_callback_whose_state_does_not_match_is_a_400_problem_page_without_session(trip):
    location, _ = await trip.start()
    back = await trip.authorize(location)
    wrong = await trip.callback({**back, "state": "not-the-state-of-this-sign-in"})
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("text/html")
    assert "does not match the sign-in that was started" in wrong.text
    assert session_cookie(wrong) is None
    as_json = await trip.web.get("/app/signin/callback", params={**back, "state": "x"})
    assert as_json.status_code == 400 and as_json.headers["content-type"] == "application/problem+json"
    assert back["code"] in trip.provider.codes  # refused before the code was ever exchanged


async def test_an_id_token_of_another_sign_in_is_refused(trip):
    location, _ = await trip.start()
    back = await trip.authorize(location)
    trip.flow_cookie(nonce="the-nonce-of-another-sign-in")
    refused = await trip.callback(back)
    assert refused.status_code == 400 and session_cookie(refused) is None
    assert "nonce" in refused.text


@pytest.mark.parametrize(
    ("attack", "expected"),
    [
        ("access-token-unknown-key", "access token (The token&#39;s signature does not verify.)"),
        ("id-token-unknown-key", "id_token does not verify"),
        ("access-token-other-audience", "access token (The token is for another audience.)"),
        ("id-token-other-audience", "id_token does not verify"),
    ],
    ids=[
        "access-token-unknown-key",
        "id-token-unknown-key",
        "access-token-other-audience",
        "id-token-other-audience",
    ],
)
async def test_tokens_signed_with_an_unknown_key_or_for_another_audience_start_no_session(
    trip, attack, expected
):
    provider = trip.provider
    token, change = attack.split("-token-")
    if change == "unknown-key":
        provider.unknown_key_for = {token}  # the same kid, but a key the provider's JWKS does not publish
    elif token == "access":
        provider.audience = "another-suite"
    else:
        provider.id_token_audience = "another-client"
    try:
        location, _ = await trip.start()
        back = await trip.authorize(location)
        refused = await trip.callback(back)
    finally:
        provider.reset(AUDIENCE)
    assert refused.status_code == 400 and session_cookie(refused) is None, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert expected in refused.text, refused.text
    assert (await trip.web.get("/app/", headers=HTML)).headers.get("location") == "/app/signin"


async def test_the_providers_subject_is_the_rosters_staff_member_and_the_header_names_them_so(trip):
    """Issue 24 point 3: in production the OIDC subject maps to the roster's staff record (`GET
    /assessments/roster/me`, by sourcedId or identifier; services/assessments/tests/test_staff.py proves the
    route). The web app names the person as the roster does; without a record, as the id_token does (above)."""
    ROSTER[MS_RIVERA.sub] = {"sourced_id": "t-0042", "given_name": "Maria", "family_name": "Rivera-Diaz",
                             "roles": ["administrator"], "school_ids": ["lincoln"], "email": None,
                             "identifier": MS_RIVERA.sub}  # fmt: skip
    try:
        location, _ = await trip.start("/app/")
        signed_in = await trip.callback(await trip.authorize(location))
        assert signed_in.status_code == 303, signed_in.text
        home = await trip.web.get("/app/", headers=HTML)
        assert "Welcome, Maria Rivera-Diaz" in home.text
        assert re.search(r"Maria Rivera-Diaz · School leader · d-north", home.text)
    finally:
        ROSTER.clear()
