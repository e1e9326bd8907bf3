"""Identity end to end: JWKS rotation through the gateway, and services refusing forged identities."""

import time

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway.main import create_app
from plc_shared import infra
from plc_shared.auth import Role
from plc_shared.settings import DEV_SIGNING_KEY, AuthSettings

from .conftest import TEST_AUTH, bearer, gateway_settings, running_gateway, serve
from .jwks import JWKSServer
from .upstream import upstream_app

PATH = "/goals/districts/d1/schools/s1/goals"


def claims(iss: str = TEST_AUTH.issuer, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": iss,
        "aud": "plc-suite",
        "sub": "u1",
        "iat": now,
        "exp": now + 600,
        "role": "district_admin",
        "district_id": "d1",
        "school_ids": ["s1"],
        **overrides,
    }


async def test_rs256_tokens_through_the_gateway_follow_key_rotation(gateway_db):
    jwks = JWKSServer()
    try:
        auth = AuthSettings(
            environment="production",
            issuer="https://idp.example",
            jwks_url=jwks.url,
            jwks_refresh_cooldown_seconds=0,
            dev_signing_key=None,
        )
        async with (
            serve(upstream_app(gateway_db, auth=auth)) as service,
            running_gateway(gateway_settings(gateway_db, service, auth=auth)) as gateway,
        ):
            old = jwks.rotate("k1")
            first = jwt.encode(claims("https://idp.example"), old, "RS256", headers={"kid": "k1"})
            response = await gateway.get(PATH, headers={"Authorization": f"Bearer {first}"})
            assert response.status_code == 200, response.text

            new = jwks.rotate("k2")
            rotated = jwt.encode(claims("https://idp.example", sub="u2"), new, "RS256", headers={"kid": "k2"})
            response = await gateway.get(PATH, headers={"Authorization": f"Bearer {rotated}"})
            assert response.status_code == 200, response.text
            assert response.json()["subject"] == "u2"

            stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            forged = jwt.encode(claims("https://idp.example"), stranger, "RS256", headers={"kid": "k2"})
            assert (await gateway.get(PATH, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
            # Production refuses the dev HS256 tokens that `plc token` prints.
            dev = jwt.encode(claims("https://idp.example"), DEV_SIGNING_KEY, "HS256")
            assert (await gateway.get(PATH, headers={"Authorization": f"Bearer {dev}"})).status_code == 401
    finally:
        jwks.close()


async def test_a_service_reached_directly_refuses_forged_or_unsigned_identities(upstream):
    async with httpx.AsyncClient(base_url=upstream) as direct:
        assert (await direct.get(PATH)).status_code == 401
        plain = {"X-User": "u1", "X-Role": "district_admin", "X-District-ID": "d1", "X-API-Key": "plc_x_y"}
        assert (await direct.get(PATH, headers=plain)).status_code == 401
        forgeries = {
            "unsigned": jwt.encode(claims(), None, "none"),
            "other-key": jwt.encode(claims(), "an-attackers-key-long-enough-for-hs256!!", "HS256"),
            "expired": jwt.encode(claims(exp=int(time.time()) - 300), DEV_SIGNING_KEY, "HS256"),
            "other-audience": jwt.encode(claims(aud="elsewhere"), DEV_SIGNING_KEY, "HS256"),
        }
        for name, forged in forgeries.items():
            response = await direct.get(PATH, headers={"Authorization": f"Bearer {forged}"})
            assert response.status_code == 401, name
            assert response.headers["content-type"] == "application/problem+json"
        # Control: the same service accepts a properly signed token, so the refusals above are about the forgery.
        assert (await direct.get(PATH, headers=bearer(Role.TEACHER))).status_code == 200


async def test_the_internal_token_minted_for_an_api_key_is_verifiable_by_the_service(gateway, upstream):
    created = await gateway.post(
        "/gateway/api-keys",
        json={"name": "sis", "permissions": ["rosters:read"]},
        headers=bearer(Role.DISTRICT_ADMIN),
    )
    echoed = (
        await gateway.get("/ims/oneroster/v1p2/users", headers={"X-API-Key": created.json()["key"]})
    ).json()
    internal = echoed["authorization"]
    decoded = jwt.decode(internal[7:], options={"verify_signature": False})
    assert decoded["exp"] - decoded["iat"] <= 120
    assert decoded["role"] == "sis_integration" and decoded["district_id"] == "d1"
    async with httpx.AsyncClient(base_url=upstream) as direct:
        response = await direct.get("/ims/oneroster/v1p2/users", headers={"Authorization": internal})
        assert response.status_code == 200
        assert response.json()["subject"] == f"api-key:{created.json()['prefix']}"
        # The key itself is no identity to a service.
        key = created.json()["key"]
        assert (
            await direct.get("/ims/oneroster/v1p2/users", headers={"Authorization": f"Bearer {key}"})
        ).status_code == 401


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


async def test_production_services_verify_issuer_and_api_key_tokens_through_the_gateways_jwks(gateway_db):
    """No dev key anywhere: the gateway signs API-key identities RS256 and publishes its key beside the
    issuer's; the service's only trust anchor is the gateway's /gateway/jwks.json."""
    idp = JWKSServer()
    try:
        issuer_key = idp.rotate("k1")
        gateway_port = infra.free_port()
        gateway_auth = AuthSettings(
            environment="production",
            issuer="https://idp.example",
            jwks_url=idp.url,
            jwks_refresh_cooldown_seconds=0,
            dev_signing_key=None,
        )
        service_auth = gateway_auth.model_copy(
            update={"jwks_url": f"http://127.0.0.1:{gateway_port}/gateway/jwks.json"}
        )
        internal = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        settings = gateway_settings(
            gateway_db, "http://unused", auth=gateway_auth, internal_signing_key=pem(internal)
        )
        async with (
            serve(upstream_app(gateway_db, auth=service_auth)) as service,
            serve(
                create_app(
                    settings.model_copy(update={"upstreams": {"assessments": service, "goals": service}})
                ),
                gateway_port,
            ) as url,
            httpx.AsyncClient(base_url=url) as gateway,
        ):
            admin = jwt.encode(claims("https://idp.example"), issuer_key, "RS256", headers={"kid": "k1"})
            created = await gateway.post(
                "/gateway/api-keys",
                json={"name": "sis", "permissions": ["rosters:read"]},
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert created.status_code == 201, created.text
            through_key = await gateway.get(
                "/ims/oneroster/v1p2/users", headers={"X-API-Key": created.json()["key"]}
            )
            assert through_key.status_code == 200, through_key.text
            assert through_key.json()["subject"] == f"api-key:{created.json()['prefix']}"
            assert jwt.get_unverified_header(through_key.json()["authorization"][7:])["alg"] == "RS256"

            rotated_key = idp.rotate("k2")
            rotated = jwt.encode(
                claims("https://idp.example", sub="u2"), rotated_key, "RS256", headers={"kid": "k2"}
            )
            response = await gateway.get(PATH, headers={"Authorization": f"Bearer {rotated}"})
            assert response.status_code == 200, response.text

            stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            forged = jwt.encode(
                claims("https://idp.example", role="sis_integration"),
                stranger,
                "RS256",
                headers={"kid": "plc-gateway-1"},
            )
            async with httpx.AsyncClient(base_url=service) as direct:
                assert (
                    await direct.get(PATH, headers={"Authorization": f"Bearer {forged}"})
                ).status_code == 401
    finally:
        idp.close()
