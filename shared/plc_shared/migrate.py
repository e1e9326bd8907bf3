"""Alembic, once for every service: `upgrade()` for `plc migrate`/tests, `run_env()` for each env.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from plc_shared import infra
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


async def provision(admin_url: str, url: str) -> list[str]:
    """Make `url`'s role and database exist, the role owning the database and the only one (with the admin)
    allowed to connect; idempotent, and re-running it sets the role's password again (rotation).

    Runs as the admin role, in the migration step alone; the services and their migrations then connect as
    their own role. A URL whose user is the admin itself (local development) only gets its database.
    Returns what it did, for the step's log.
    """
    target = make_url(url)
    role, database = target.username or "postgres", target.database
    if not database:
        raise ValueError(f"no database name in {target.render_as_string()}")
    if role == (make_url(admin_url).username or "postgres"):
        return [f"created database {database}"] if await infra.create_database(admin_url, database) else []
    done = []
    conn = await infra._admin(admin_url)
    try:
        if await _ensure_role(conn, role, target.password):
            done.append(f"created role {role}")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await _ddl(conn, "CREATE DATABASE %I OWNER %I", database, role)
            done.append(f"created database {database} owned by {role}")
        await _ddl(conn, "ALTER DATABASE %I OWNER TO %I", database, role)
        await _ddl(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        await _ddl(conn, "GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO %I", database, role)
    finally:
        await conn.close()
    await _hand_over_objects(infra.url_with_database(admin_url, database), role)
    return done


async def _ddl(conn: asyncpg.Connection, template: str, *args: str | None) -> None:
    """DDL cannot take bind parameters: PostgreSQL's format() quotes identifiers (%I) and literals (%L)."""
    placeholders = ", ".join(f"${i + 1}::text" for i in range(len(args)))
    await conn.execute(await conn.fetchval(f"SELECT format('{template}', {placeholders})", *args))


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> bool:
    """A login role with no other powers (PostgreSQL's defaults); its password set to `password` (left as is
    when None). An existing role with more powers is refused rather than silently used."""
    created = False
    powers = await conn.fetchrow(
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls AS any"
        " FROM pg_roles WHERE rolname = $1",
        role,
    )
    if powers is None:
        try:
            await _ddl(conn, "CREATE ROLE %I LOGIN", role)
            created = True
        except asyncpg.DuplicateObjectError:  # another migration step got there first
            pass
    elif powers["any"]:
        raise RuntimeError(f"role {role} has powers a service role must not have (superuser, createdb, ...)")
    await _ddl(conn, "ALTER ROLE %I LOGIN", role)
    if password is not None:
        await _ddl(conn, "ALTER ROLE %I PASSWORD %L", role, password)
    return created


async def _hand_over_objects(admin_database_url: str, role: str) -> None:
    """Tables, sequences, views and types an earlier admin-run migration left in `public` go to the role."""
    conn = await infra._admin(admin_database_url)
    try:
        rows = await conn.fetch(
            """
            SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' WHEN c.relkind = 'v' THEN 'VIEW'
                        WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind, c.relname AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
              AND pg_get_userbyid(c.relowner) <> $1
              AND NOT (c.relkind = 'S' AND EXISTS (  -- a serial's sequence follows its table
                  SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
            UNION ALL
            SELECT 'TYPE', t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND pg_get_userbyid(t.typowner) <> $1
            """,
            role,
        )
        for row in rows:
            await _ddl(conn, f"ALTER {row['kind']} public.%I OWNER TO %I", row["name"], role)
    finally:
        await conn.close()


def _not_a_partition(name: str | None, type_: str, parent_names: dict) -> bool:
    """The relay creates and drops outbox_sent's daily partitions at run time (plc_shared.outbox.Retention):
    they are not part of the schema the migrations describe."""
    return not (type_ == "table" and name is not None and name.startswith("outbox_sent_p"))


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
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=_not_a_partition,
    )
    with context.begin_transaction():
        context.run_migrations()
