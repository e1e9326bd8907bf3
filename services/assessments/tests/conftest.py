"""The assessments service on a migrated database and the run's broker; districts built through the API."""

from __future__ import annotations

import httpx
import pytest
from assessments.config import Settings
from assessments.main import create_app
from assessments.testing import District
from plc_shared.components import by_name
from plc_shared.kafka import ensure_topics
from plc_shared.migrate import upgrade_async
from plc_shared.topics import ASSESSMENTS, RESULTS


@pytest.fixture(scope="session")
async def service_db(create_database) -> str:
    url = await create_database("assessments_svc")
    await upgrade_async(by_name("assessments"), url)
    return url


@pytest.fixture(scope="session")
async def settings(service_db, kafka_settings) -> Settings:
    await ensure_topics(kafka_settings, [RESULTS, ASSESSMENTS])
    return Settings(
        database_url=service_db, kafka=kafka_settings, log_level="WARNING", relay_poll_interval_s=0.02
    )


@pytest.fixture(scope="session")
async def client(settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc", timeout=120) as http:
            yield http


@pytest.fixture
async def district(client, settings) -> District:
    return await District(client, settings).build()


@pytest.fixture
def other_district(client, settings) -> District:
    """Another district (nothing built): its tokens must not reach the first district's data."""
    return District(client, settings)


@pytest.fixture
def blank_district(client, settings) -> District:
    """A district with nothing in it yet (for imports that build it)."""
    return District(client, settings)
