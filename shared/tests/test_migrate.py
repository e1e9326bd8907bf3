"""`plc migrate` with an admin role, as the compose migration step runs it, on the real local PostgreSQL:
one role per component owning only its database, reachable by that role alone."""

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest
from plc_shared import infra
from plc_shared.components import PROCESSES, by_name
from plc_shared.migrate import provision, upgrade_async
from sqlalchemy.engine import make_url

PLC = [sys.executable, "-m", "plc_shared.cli"]
PASSWORD = "p@ss:w/rd%#?&= é"  # every character a URL would have to escape


@pytest.fixture
async def provisioned(pg_admin_url, run_id, tmp_path):
    """Role and database names of each component, and the environment the compose file gives `plc migrate`."""
    admin = make_url(pg_admin_url)
    if not admin.host:
        pytest.skip("needs PostgreSQL over TCP (the compose step connects by host name)")
    names = {c.name: f"plc_t{run_id}_role_{c.name}" for c in PROCESSES}
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env["PLC_POSTGRES_ADMIN_URL"] = pg_admin_url
    for component in PROCESSES:
        secret = tmp_path / f"{component.name}_db_password"
        secret.write_text(PASSWORD + "\n")
        prefix = component.env_prefix
        env |= {
            f"{prefix}DB_HOST": admin.host,
            f"{prefix}DB_PORT": str(admin.port or 5432),
            f"{prefix}DB_NAME": names[component.name],
            f"{prefix}DB_USER": names[component.name],
            f"{prefix}DB_PASSWORD_FILE": str(secret),
        }
    try:
        yield names, env
    finally:
        conn = await asyncpg.connect(**infra._asyncpg_dsn(pg_admin_url))
        try:
            for name in names.values():
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        finally:
            await conn.close()


async def plc_migrate(env: dict[str, str]) -> str:
    result = await asyncio.to_thread(
        subprocess.run, [*PLC, "migrate"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def connect_as(pg_admin_url: str, role: str, database: str) -> asyncpg.Connection:
    dsn = infra._asyncpg_dsn(pg_admin_url) | {"user": role, "password": PASSWORD, "database": database}
    return await asyncpg.connect(**dsn)


async def test_each_role_owns_and_reaches_only_its_own_database(pg_admin_url, provisioned):
    names, env = provisioned
    out = await plc_migrate(env)
    for component in PROCESSES:
        assert f"{component.name}: created role {names[component.name]}" in out
        assert f"{component.name}: migrated to head" in out
    again = await plc_migrate(env)  # idempotent: nothing created, migrations at head, roles intact
    assert "created" not in again

    for component in PROCESSES:
        own = names[component.name]
        conn = await connect_as(pg_admin_url, own, own)
        try:
            assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 1
            owners = set(
                await conn.fetchval(
                    "SELECT array_agg(DISTINCT tableowner) FROM pg_tables WHERE schemaname = 'public'"
                )
            )
            assert owners == {own}  # the migrations ran as the role: it owns every table it uses
            powers = await conn.fetchrow(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )
            assert tuple(powers) == (False, False, False)
        finally:
            await conn.close()
        for other in PROCESSES:
            if other is component:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for database"):
                await connect_as(pg_admin_url, own, names[other.name])


async def test_a_database_migrated_by_the_admin_is_handed_over_to_the_role(pg_admin_url, run_id):
    """The upgrade path of a deployment whose tables the admin created (before roles existed)."""
    goals = by_name("goals")
    name = f"plc_t{run_id}_handover"
    role_url = infra.url_with_database(pg_admin_url, name)
    role_url = make_url(role_url).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
    await infra.create_database(pg_admin_url, name)
    try:
        await upgrade_async(goals, infra.url_with_database(pg_admin_url, name))  # tables owned by the admin
        assert await provision(pg_admin_url, role_url) == [f"created role {name}"]
        await upgrade_async(goals, role_url)  # at head already: the role can read alembic_version
        conn = await connect_as(pg_admin_url, name, name)
        try:
            owners = await conn.fetchval(
                "SELECT array_agg(DISTINCT tableowner) FROM pg_tables WHERE schemaname = 'public'"
            )
            assert owners == [name]
            sequences = await conn.fetchval(
                "SELECT count(*) FROM pg_class WHERE relkind = 'S' AND pg_get_userbyid(relowner) <> current_user"
            )
            assert sequences == 0
        finally:
            await conn.close()
    finally:
        await _drop(pg_admin_url, name)


async def test_an_existing_role_with_more_powers_is_refused(pg_admin_url, run_id):
    name = f"plc_t{run_id}_powerful"
    admin = await asyncpg.connect(**infra._asyncpg_dsn(pg_admin_url))
    try:
        await admin.execute(f'CREATE ROLE "{name}" LOGIN CREATEDB')
    finally:
        await admin.close()
    try:
        url = make_url(infra.url_with_database(pg_admin_url, name)).set(username=name)
        with pytest.raises(RuntimeError, match="must not have"):
            await provision(pg_admin_url, url.render_as_string(hide_password=False))
    finally:
        await _drop(pg_admin_url, name)


async def _drop(pg_admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(**infra._asyncpg_dsn(pg_admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await conn.close()
