"""Test helpers of the gateway, importable by every suite: a real gateway (uvicorn, its own migrated database)
in front of services, API keys made through its own route, and what its route table answers before a service
is asked (the scope matrices run through it as well as straight to the services)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Mapping

import httpx
import pytest
from plc_shared import infra
from plc_shared.auth import Permission, Role, mint_dev_token
from plc_shared.components import GATEWAY, SERVICES
from plc_shared.scope_matrix import (
    ADVERSARIES,
    Adversary,
    Call,
    Expect,
    Matrix,
    adversary_headers,
    fill,
    prove,
    prove_straight,
    table_rows,
)
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database, serve_app

from gateway import routes
from gateway.config import Settings
from gateway.main import create_app

UNLIMITED = {"burst_per_principal": 1_000_000, "burst_per_tenant": 1_000_000}


@contextlib.asynccontextmanager
async def gateway_in_front(
    create_database, upstreams: Mapping[str, str], auth: AuthSettings
) -> AsyncIterator[str]:
    """A gateway served for real in front of `upstreams` (service name → URL; the others point at a closed
    port), without rate limits; yields its URL."""
    down = f"http://127.0.0.1:{infra.free_port()}"
    settings = Settings(
        database_url=await migrated_database(create_database, GATEWAY),
        upstreams={c.name: upstreams.get(c.name, down) for c in SERVICES},
        auth=auth,
        log_level="WARNING",
        audit_flush_interval_s=0.05,
        **UNLIMITED,
    )
    async with serve_app(create_app(settings)) as url:
        yield url


async def api_key(gateway_url: str, auth: AuthSettings, district: str, permissions: list[str]) -> str:
    """A new API key of `district` holding `permissions`, made by a district admin through the gateway."""
    admin = mint_dev_token(auth, role=Role.DISTRICT_ADMIN, district_id=district)
    async with httpx.AsyncClient(base_url=gateway_url) as http:
        made = await http.post(
            "/gateway/api-keys",
            json={"name": "scope matrix", "permissions": permissions},
            headers={"Authorization": f"Bearer {admin}"},
        )
    made.raise_for_status()
    return made.json()["key"]


def key_permissions(method: str, path: str) -> list[str]:
    """What an API key "without the permission" holds for this call: every permission but the one its row
    names (every one when the row names none: no key may call such a row at all)."""
    found = routes.match(method, path)
    needed = found[0].permission if found else None
    return sorted(p.value for p in Permission if p.value != needed)


def through_gateway(method: str, path: str, adversary: Adversary, at_service: Expect) -> Expect:
    """What the adversary gets through the gateway: a 403 when the route table's row refuses the role (or an
    API key lacking the row's permission), else what the service answers (`at_service`)."""
    found = routes.match(method, path)
    if found is None:
        raise AssertionError(f"no row of the gateway's route table reaches {method} {path}")
    row = found[0]
    if adversary.role not in row.roles or adversary.api_key:
        return Expect.FORBIDDEN  # the adversary's key lacks the row's permission by construction
    return at_service


async def prove_through_gateway(
    cases, world: Mapping[str, str], secrets: tuple[str, ...], gateway_url: str, auth: AuthSettings, snapshot
) -> Matrix:
    """The scope matrix of `cases` (as the service answers them) sent through the gateway: each adversary's
    expectation becomes what the route table answers first; API keys are real keys made through the gateway."""
    keys: dict[tuple[str, ...], str] = {}
    opened: list[httpx.AsyncClient] = []

    async def as_adversary(adversary: Adversary, call: Call) -> httpx.AsyncClient:
        if adversary.api_key:
            held = tuple(key_permissions(call.method, fill(call.path, world)))
            if held not in keys:
                keys[held] = await api_key(gateway_url, auth, world["district"], list(held))
            headers = {"X-API-Key": keys[held]}
        else:
            headers = adversary_headers(auth, adversary, world, None)
        opened.append(httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=30))
        return opened[-1]

    derived = [
        dataclasses.replace(
            case,
            expect={
                a.name: through_gateway(
                    case.method, fill(case.requests()[0].path, world), a, case.expect[a.name]
                )
                for a in ADVERSARIES
            },
        )
        for case in cases
    ]
    matrix = Matrix(world=world, secrets=secrets, client=as_adversary)
    try:
        await prove(derived, matrix, snapshot)
    finally:
        for client in opened:
            await client.aclose()
    return matrix


def row_permission(method: str, path: str) -> str | None:
    """The permission the route table's row for this call names (None: no API key may call it)."""
    found = routes.match(method, path)
    return found[0].permission if found else None


@contextlib.asynccontextmanager
async def behind_gateway(create_database, service: str, app) -> AsyncIterator[str]:
    """`app` (a service's, not started) served for real behind a real gateway; yields the gateway's URL."""
    async with (
        serve_app(app) as url,
        gateway_in_front(create_database, {service: url}, app.state.settings.auth) as gw,
    ):
        yield gw


def served_behind_gateway(service: str, create_app):
    """The module fixture `gateway_url` of a service's scope suite: another instance of the service (same
    database as the suite's `app`) served for real behind a real gateway. `gateway_url = served_behind_gateway(
    "goals", create_app)` in the test module."""

    @pytest.fixture(scope="module")
    async def gateway_url(app, create_database):
        async with behind_gateway(create_database, service, create_app(app.state.settings)) as url:
            yield url

    return gateway_url


async def prove_scope(
    via: str, cases, world: Mapping[str, str], secrets: tuple[str, ...], app, gateway_url: str, metadata
) -> None:
    """The scope matrix of `cases` straight to the service (`via="service"`) or through the real gateway, with
    the service's tables (`metadata`) compared before and after every refused call."""

    async def snapshot():
        return await table_rows(app.state.engine, metadata)

    if via == "service":
        await prove_straight(cases, world, secrets, app, snapshot, row_permission)
    else:
        await prove_through_gateway(cases, world, secrets, gateway_url, app.state.settings.auth, snapshot)
