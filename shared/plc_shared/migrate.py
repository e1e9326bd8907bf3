"""Alembic, once for every service: `upgrade()` for `plc migrate`/tests, `run_env()` for each env.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from plc_shared.components import Component

FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"


def alembic_config(migrations_dir: Path, database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("file_template", FILE_TEMPLATE)
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade_async(component: Component, database_url: str, revision: str = "head") -> None:
    """Apply a component's migrations from inside a running event loop (tests, `plc up`)."""
    engine = create_async_engine(database_url, poolclass=pool.NullPool)
    config = alembic_config(component.migrations_dir, database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_on, config, revision)
    finally:
        await engine.dispose()


def upgrade(component: Component, database_url: str, revision: str = "head") -> None:
    asyncio.run(upgrade_async(component, database_url, revision))


def _upgrade_on(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def run_env(target_metadata: MetaData, url_env: str) -> None:
    """The body of every service's migrations/env.py.

    `plc migrate` hands over a connection; the plain `alembic` command (from a service directory, with
    `<PREFIX>DATABASE_URL` set) opens its own.
    """
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return
    import os

    url = context.config.get_main_option("sqlalchemy.url") or os.environ[url_env]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.begin() as conn:
        await conn.run_sync(_run, target_metadata)
    await engine.dispose()


def _run(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
