"""Gateway tests: a migrated gateway database, real HTTP servers (uvicorn) for the gateway and upstreams."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from gateway.config import Settings
from gateway.main import create_app
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, SERVICES
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database
from plc_shared.testing import serve_app as serve

from .upstream import upstream_app

TEST_AUTH = AuthSettings(environment="dev")


@pytest.fixture(scope="session")
async def gateway_db(create_database) -> str:
    return await migrated_database(create_database, GATEWAY)


@pytest.fixture(scope="session")
async def upstream(gateway_db) -> AsyncIterator[str]:
    """One echo service serving every service's prefixes."""
    async with serve(upstream_app(gateway_db)) as url:
        yield url


def gateway_settings(gateway_db: str, upstream: str, **overrides) -> Settings:
    values = {
        "database_url": gateway_db,
        "upstreams": {c.name: upstream for c in SERVICES},
        "log_level": "WARNING",
        "auth": TEST_AUTH,
        "audit_flush_interval_s": 0.05,
        **overrides,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
async def gateway(gateway_db, upstream) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with default limits, in front of the echo service."""
    async with running_gateway(gateway_settings(gateway_db, upstream)) as client:
        yield client


def token(role: Role, district: str = "d1", schools=("s1",), classes=("c1",), **kwargs) -> str:
    return mint_dev_token(
        TEST_AUTH, role=role, district_id=district, school_ids=schools, class_ids=classes, **kwargs
    )


def bearer(role: Role, district: str = "d1", **kwargs) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, district, **kwargs)}"}
