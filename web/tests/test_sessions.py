"""Server-side sessions, over real HTTP and the real `plc_web` database: the cookie is an opaque id, the API
token stays in the database (sealed), and sign-out, expiry and idleness end a session, so an old cookie no
longer works anywhere. Two app instances on one database stand for a restart and for two replicas."""

from __future__ import annotations

import contextlib
import hashlib
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.testing import serve_app
from sqlalchemy import select, update
from web.main import create_app
from web.models import WebSession
from web.sessions import SessionStore
from web.testing import web_settings

SIGN_IN = {"role": "teacher", "district": "d1", "school": "s1", "classes": "c1", "name": "Ms Rivera"}


@contextlib.asynccontextmanager
async def instance(web_db: str, **overrides):
    app = create_app(web_settings(web_db, **overrides))
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


@pytest.fixture(scope="module")
async def sessions_table(web_db):
    engine = create_engine(web_db, pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


def token_of(html: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', html)[1]


async def sign_in(client: httpx.AsyncClient) -> str:
    client.cookies.clear()
    page = await client.get("/app/signin")
    response = await client.post("/app/signin", data={**SIGN_IN, "csrftoken": token_of(page.text)})
    assert response.status_code == 303, response.text
    return client.cookies.get("plc_session", path="/app")


def browser(client: httpx.AsyncClient, cookie: str) -> httpx.AsyncClient:
    """Another browser that holds only this session cookie (a copy of it, or the same user after a restart)."""
    jar = httpx.Cookies()
    jar.set("plc_session", cookie, domain=client.base_url.host, path="/app")
    return httpx.AsyncClient(base_url=client.base_url, cookies=jar)


async def signed_in(client: httpx.AsyncClient, cookie: str) -> bool:
    """Whether a browser holding only this session cookie is signed in (the sign-in page greets it)."""
    async with browser(client, cookie) as other:
        response = await other.get("/app/signin")
    return "Ms Rivera · Teacher · d1" in response.text


async def row_of(sessions_table, cookie: str) -> WebSession | None:
    async with sessions_table() as session:
        return await session.get(WebSession, hashlib.sha256(cookie.encode()).digest())


async def test_the_cookie_is_an_opaque_id_and_the_token_stays_sealed_in_the_database(web_db, sessions_table):
    async with instance(web_db) as web:
        cookie = await sign_in(web)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie)  # 256 random bits; no token, no name, no signature
    row = await row_of(sessions_table, cookie)
    assert row is not None and row.subject.startswith("dev-person-")  # a typed name's stable subject, no name
    assert b"Rivera" not in row.sealed and b"eyJ" not in row.sealed  # neither the name nor a JWT in clear
    async with sessions_table() as session:
        stored = (await session.execute(select(WebSession.id_sha256))).scalars().all()
    assert cookie.encode() not in stored  # the table holds hashes of ids, never a usable cookie


async def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(web_db, sessions_table):
    async with instance(web_db) as web:
        cookie = await sign_in(web)
        copy = cookie  # what an attacker who copied the cookie holds
        page = await web.get("/app/signin")
        out = await web.post("/app/signout", data={"csrftoken": token_of(page.text)})
        assert out.status_code == 303
        assert await row_of(sessions_table, cookie) is None
        assert not await signed_in(web, copy)
        async with browser(web, copy) as other:
            again = await other.get("/app/flags")
        assert again.status_code == 303 and again.headers["location"].startswith("/app/signin")


async def test_a_session_survives_a_restart_and_is_the_same_on_another_replica(web_db):
    async with instance(web_db) as first:
        cookie = await sign_in(first)
    async with instance(web_db) as restarted, instance(web_db) as replica:
        assert await signed_in(restarted, cookie) and await signed_in(replica, cookie)
        async with browser(replica, cookie) as user:
            page = await user.get("/app/signin")
            out = await user.post("/app/signout", data={"csrftoken": token_of(page.text)})
        assert out.status_code == 303
        assert not await signed_in(restarted, cookie)  # signed out on one replica: out on all


@pytest.mark.parametrize("ended_by", ["expiry", "idleness"])
async def test_an_expired_or_idle_session_no_longer_works(web_db, sessions_table, ended_by):
    async with instance(web_db) as web:
        cookie = await sign_in(web)
        assert await signed_in(web, cookie)
        past = datetime.now(UTC) - timedelta(hours=3)  # idle for longer than WEB_SESSION_IDLE_S (2 h)
        column = WebSession.expires_at if ended_by == "expiry" else WebSession.last_seen_at
        digest = hashlib.sha256(cookie.encode()).digest()
        async with sessions_table() as session, session.begin():
            await session.execute(
                update(WebSession).where(WebSession.id_sha256 == digest).values({column: past})
            )
        assert not await signed_in(web, cookie)


async def test_a_session_ends_with_its_token_and_ended_sessions_are_pruned(web_db, sessions_table):
    store = SessionStore(sessions_table, "secret", max_age_s=3600, idle_s=3600)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    short = await store.start(token="t", name="n", subject="s", token_exp=soon)
    long = await store.start(
        token="t", name="n", subject="s", token_exp=datetime.now(UTC) + timedelta(days=1)
    )
    assert (await row_of(sessions_table, short)).expires_at == soon  # the token's exp, not max age
    assert (await row_of(sessions_table, long)).expires_at < datetime.now(UTC) + timedelta(hours=1, seconds=1)
    later = datetime.now(UTC) + timedelta(seconds=2)
    async with sessions_table() as session, session.begin():
        pruned = await store.prune(session, later)
    assert pruned >= 1
    assert await row_of(sessions_table, short) is None and await row_of(sessions_table, long) is not None


async def test_a_sealed_token_opens_only_with_its_own_cookie_and_the_app_secret(web_db, sessions_table):
    store = SessionStore(sessions_table, "secret", max_age_s=3600, idle_s=3600)
    exp = datetime.now(UTC) + timedelta(hours=1)
    mine = await store.start(token="token-of-a", name="A", subject="a", token_exp=exp)
    theirs = await store.start(token="token-of-b", name="B", subject="b", token_exp=exp)
    assert (await store.open(mine)).token == "token-of-a"
    other_secret = SessionStore(sessions_table, "another-secret", max_age_s=3600, idle_s=3600)
    assert await other_secret.open(mine) is None  # a rotated WEB_SESSION_SECRET signs everyone out
    async with sessions_table() as session, session.begin():  # someone with write access swaps the blobs
        b = await session.get(WebSession, hashlib.sha256(theirs.encode()).digest())
        await session.execute(
            update(WebSession)
            .where(WebSession.id_sha256 == hashlib.sha256(mine.encode()).digest())
            .values(sealed=b.sealed)
        )
    assert await store.open(mine) is None  # sealed for another id: it does not open here
    assert await store.open("not-a-session-id") is None and await store.open("x" * 43) is None
