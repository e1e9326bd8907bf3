"""The web app's tests: a migrated `plc_web` database (the sessions), and the app served for real (uvicorn)."""

from __future__ import annotations

import pytest
from plc_shared.components import WEB
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database
from web.config import Settings

AUTH = AuthSettings(environment="dev")


@pytest.fixture(scope="session")
async def web_db(create_database) -> str:
    return await migrated_database(create_database, WEB)


def web_settings(database_url: str, **overrides) -> Settings:
    values = {
        "auth": AUTH,
        "database_url": database_url,
        "log_level": "WARNING",
        "gateway_url": "http://127.0.0.1:9",
        **overrides,
    }
    return Settings(**values)
