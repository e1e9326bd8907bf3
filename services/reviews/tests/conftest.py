"""The reviews app on a database of its own per test module (HTTP only: no relay, no consumers; the tests
that need the broker start what they need)."""

import pytest
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.testing import migrated_database
from reviews.config import Settings
from reviews.main import create_app


@pytest.fixture(scope="module")
async def app(create_database, kafka_settings):
    url = await migrated_database(create_database, by_name("reviews"))
    settings = Settings(
        database_url=url, kafka=kafka_settings, log_level="WARNING", run_relay=False, run_consumers=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()
