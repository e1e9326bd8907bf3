"""JWT verification: dev HS256 tokens and RS256 through a JWKS served over real HTTP."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Depends, FastAPI
from plc_shared.auth import CurrentPrincipal, Principal, Role, TokenVerifier, mint_dev_token, require_roles
from plc_shared.errors import install_error_handlers
from plc_shared.settings import DEV_SIGNING_KEY, AuthSettings

DEV = AuthSettings(environment="dev")


def app_for(settings: AuthSettings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.token_verifier = TokenVerifier(settings)
    router = APIRouter()

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict:
        return {
            "role": principal.role,
            "district": principal.district_id,
            "schools": sorted(principal.school_ids),
        }

    @router.get("/leaders-only", dependencies=[Depends(require_roles(Role.SCHOOL_LEADER))])
    async def leaders_only() -> dict:
        return {"ok": True}

    app.include_router(router)
    return app


async def get(app: FastAPI, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path, headers=headers)


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {
        "iss": DEV.issuer,
        "aud": DEV.audience,
        "sub": "u1",
        "iat": now,
        "exp": now + 600,
        "role": "teacher",
        "district_id": "d1",
        "school_ids": ["s1"],
    }
    return {**base, **overrides}


async def test_a_valid_dev_token_gives_the_principal():
    token = mint_dev_token(DEV, role=Role.TEACHER, district_id="d1", school_ids=["s2", "s1"])
    response = await get(app_for(DEV), "/me", token)
    assert response.status_code == 200
    assert response.json() == {"role": "teacher", "district": "d1", "schools": ["s1", "s2"]}


def test_the_name_claim_is_the_principals_display_name():
    """OpenID Connect Core 1.0 §5.1 standard claim `name` (https://openid.net/specs/openid-connect-core-1_0.html
    #StandardClaims): trimmed; absent, blank or not a string is no name."""
    assert Principal.from_claims(claims(name="  Ada Reviewer ")).name == "Ada Reviewer"
    assert Principal.from_claims(claims()).name is None
    assert Principal.from_claims(claims(name="  ")).name is None
    assert Principal.from_claims(claims(name=["x"])).name is None
    token = mint_dev_token(DEV, role=Role.REVIEWER, district_id="d1", name="Bo Visitor")
    assert jwt.decode(token, options={"verify_signature": False})["name"] == "Bo Visitor"


@pytest.mark.parametrize(
    ("make_token", "detail"),
    [
        (lambda: None, "A bearer token is required."),
        (lambda: jwt.encode(claims(exp=int(time.time()) - 120), DEV_SIGNING_KEY, "HS256"), "expired"),
        (lambda: jwt.encode(claims(aud="another-app"), DEV_SIGNING_KEY, "HS256"), "another audience"),
        (lambda: jwt.encode(claims(iss="https://evil.example"), DEV_SIGNING_KEY, "HS256"), "unknown issuer"),
        (
            lambda: jwt.encode(claims(), "some-other-key-that-is-long-enough-for-hs256", "HS256"),
            "The token's signature does not verify.",
        ),
        (lambda: jwt.encode(claims(), None, "none"), "an algorithm this service does not accept"),
        (lambda: "not-a-jwt", "The token cannot be read (not a JWT)."),
        (
            lambda: jwt.encode({k: v for k, v in claims().items() if k != "sub"}, DEV_SIGNING_KEY, "HS256"),
            "'sub' claim",
        ),
        (lambda: jwt.encode(claims(role="headmaster"), DEV_SIGNING_KEY, "HS256"), "claims are not those"),
    ],
    ids=[
        "missing",
        "expired",
        "audience",
        "issuer",
        "bad-signature",
        "alg-none",
        "garbage",
        "no-sub",
        "role",
    ],
)
async def test_bad_tokens_are_refused_with_problem_json_in_our_words(make_token, detail):
    # Minted when the test runs, not at collection: a long suite would otherwise see them expire first.
    response = await get(app_for(DEV), "/me", make_token())
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert detail in response.json()["detail"]
    for library_text in ("Signature verification failed", "Not enough segments", "alg value", "Invalid"):
        assert library_text not in response.text  # PyJWT's messages stay in the logs


async def test_expiry_leeway_is_honoured():
    token = jwt.encode(claims(exp=int(time.time()) - 5), DEV_SIGNING_KEY, "HS256")
    assert (await get(app_for(DEV), "/me", token)).status_code == 200


async def test_a_role_outside_the_route_gets_403():
    token = mint_dev_token(DEV, role=Role.TEACHER, district_id="d1")
    response = await get(app_for(DEV), "/leaders-only", token)
    assert response.status_code == 403


async def test_hs256_dev_tokens_are_refused_in_production():
    prod = AuthSettings(
        environment="production",
        dev_signing_key="a-real-production-secret-of-enough-length",
        jwks_url="http://127.0.0.1:1/jwks",
    )
    token = jwt.encode(claims(), "a-real-production-secret-of-enough-length", "HS256")
    assert (await get(app_for(prod), "/me", token)).status_code == 401


def test_production_refuses_the_default_dev_key():
    with pytest.raises(ValueError, match="development key"):
        AuthSettings(environment="production")


class JWKSServer:
    """A real HTTP JWKS endpoint whose key set can be rotated."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(
                    {
                        "keys": [
                            {
                                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())),
                                "kid": kid,
                                "alg": "RS256",
                                "use": "sig",
                            }
                            for kid, k in server.keys.items()
                        ]
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/jwks.json"

    def rotate(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        return self.keys[kid]


async def test_rs256_tokens_verify_through_jwks_and_follow_key_rotation():
    jwks = JWKSServer()
    try:
        settings = AuthSettings(
            environment="production",
            issuer="https://idp.example",
            audience="plc-suite",
            jwks_url=jwks.url,
            jwks_refresh_cooldown_seconds=0,
            dev_signing_key=None,
        )
        app = app_for(settings)
        old = jwks.rotate("k1")
        token = jwt.encode(claims(iss="https://idp.example"), old, "RS256", headers={"kid": "k1"})
        assert (await get(app, "/me", token)).status_code == 200
        new = jwks.rotate("k2")
        rotated = jwt.encode(claims(iss="https://idp.example"), new, "RS256", headers={"kid": "k2"})
        response = await get(app, "/me", rotated)
        assert response.status_code == 200, response.text
        forged = jwt.encode(
            claims(iss="https://idp.example"),
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "RS256",
            headers={"kid": "k2"},
        )
        assert (await get(app, "/me", forged)).status_code == 401
    finally:
        jwks.httpd.shutdown()
