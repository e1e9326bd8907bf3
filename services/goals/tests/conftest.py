"""The goals app on a database of its own per test module (HTTP only: no relay, no consumers, no deadline
sweep; the tests that need the broker or the sweep start what they need)."""

import pytest
from goals.config import Settings
from goals.main import create_app
from plc_shared.components import by_name
from plc_shared.testing import migrated_database


@pytest.fixture(scope="module")
async def app(create_database, kafka_settings):
    url = await migrated_database(create_database, by_name("goals"))
    settings = Settings(
        database_url=url,
        kafka=kafka_settings,
        log_level="WARNING",
        run_relay=False,
        run_consumers=False,
        run_periodic=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
