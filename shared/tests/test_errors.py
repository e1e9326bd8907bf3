"""Every error leaves as RFC 9457 problem+json; a failed commit is never a 2xx."""

import uuid

import httpx
import pytest
from fastapi import FastAPI
from plc_shared.db import DbSession, create_engine, make_sessionmaker
from plc_shared.errors import Conflict, install_error_handlers
from plc_shared.testing import TcpProxy, through
from pydantic import BaseModel
from sqlalchemy import text


class Body(BaseModel):
    score: float


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/scores")
    async def post(body: Body) -> dict:
        return {"score": body.score}

    @app.get("/conflict")
    async def conflict() -> dict:
        raise Conflict("That result was changed by someone else.", current_etag='"abc"')

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("a bug")

    return app


async def call(app: FastAPI, method: str, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kwargs)


async def test_validation_errors_name_the_field():
    response = await call(make_app(), "POST", "/scores", json={"score": "eleven"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["instance"] == "/scores"
    assert problem["errors"][0]["location"] == ["body", "score"]


async def test_a_problem_error_keeps_its_status_and_extensions():
    response = await call(make_app(), "GET", "/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "That result was changed by someone else.",
        "instance": "/conflict",
        "current_etag": '"abc"',
    }


@pytest.mark.parametrize(("path", "status"), [("/nowhere", 404), ("/boom", 500)])
async def test_unknown_routes_and_bugs_are_problems_too(path, status):
    response = await call(make_app(), "GET", path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "a bug" not in response.text  # internals are logged, not leaked


async def test_a_commit_that_fails_is_not_answered_with_2xx(create_database):
    url = await create_database(f"commit_{uuid.uuid4().hex[:6]}")
    engine = create_engine(url, pool_size=2)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE marks (id int PRIMARY KEY, parent int,"
                " CONSTRAINT fk_parent FOREIGN KEY (parent) REFERENCES marks(id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    app = make_app()
    app.state.sessionmaker = make_sessionmaker(engine)

    @app.post("/marks")
    async def add_mark(session: DbSession) -> dict:
        # the deferred foreign key fails only at COMMIT, after the endpoint has returned
        await session.execute(text("INSERT INTO marks (id, parent) VALUES (1, 42)"))
        return {"stored": True}

    try:
        response = await call(app, "POST", "/marks")
        assert response.status_code >= 500
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM marks"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def test_while_the_database_is_unreachable_every_call_is_a_503_with_retry_after_then_it_heals(
    create_database,
):
    """The socket to PostgreSQL is cut (as in a restart): pooled connections break, new ones are refused.
    Each call is a 503 problem with Retry-After (never a 500); once the database answers, calls succeed."""
    url = await create_database(f"unreachable_{uuid.uuid4().hex[:6]}")
    plain = create_engine(url, pool_size=1)
    async with TcpProxy(plain.url.host, plain.url.port) as proxy:
        engine = create_engine(through(proxy, url), pool_size=2)
        app = make_app()
        app.state.sessionmaker = make_sessionmaker(engine)

        @app.get("/now")
        async def now(session: DbSession) -> dict:
            return {"now": str((await session.execute(text("SELECT now()"))).scalar_one())}

        try:
            assert (await call(app, "GET", "/now")).status_code == 200  # a pooled connection exists
            await proxy.cut()
            for _ in range(3):  # the broken pooled connection, then refused connects
                response = await call(app, "GET", "/now")
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert int(response.headers["retry-after"]) > 0
                assert "asyncpg" not in response.text and "Error" not in response.json()["detail"]
            await proxy.restore()
            assert (await call(app, "GET", "/now")).status_code == 200
        finally:
            await engine.dispose()
            await plain.dispose()
