"""What the fuzzer holds every app to, built once: each route's error statuses documented as problem+json from
what it depends on, U+0000 refused in parameters and documented as refused, a 405 that lists every method."""

from datetime import date

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import HTTPBearer
from plc_shared import responses
from plc_shared.db import DbSession
from plc_shared.errors import install_error_handlers, refuse_unstorable_parameters
from plc_shared.schemas import Schema
from pydantic import ValidationError

reads, writes = APIRouter(), APIRouter()


@reads.get("/things/{thing_id}", dependencies=[Depends(HTTPBearer(auto_error=False))])
async def read(thing_id: str, session: DbSession) -> dict:
    return {"id": thing_id}


@writes.put("/things/{thing_id}")
async def write(thing_id: str, note: str = "") -> dict:
    return {"id": thing_id, "note": note}


@reads.get("/open")
async def open_route() -> dict:
    return {}


def make_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(refuse_unstorable_parameters)])
    install_error_handlers(app)
    app.include_router(reads, prefix="/svc")
    app.include_router(writes, prefix="/svc")
    return app


def test_each_route_documents_the_errors_its_dependencies_can_give_as_problem_json():
    app = make_app()
    schema = app.openapi()
    responses.document(app, schema)
    paths = schema["paths"]
    read_statuses = set(paths["/svc/things/{thing_id}"]["get"]["responses"])
    assert read_statuses == {"200", "400", "401", "403", "404", "422", "503"}
    assert set(paths["/svc/things/{thing_id}"]["put"]["responses"]) == {"200", "400", "404", "422"}
    assert set(paths["/svc/open"]["get"]["responses"]) == {"200"}
    problem = paths["/svc/things/{thing_id}"]["put"]["responses"]["422"]["content"]
    assert problem == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    note = next(p for p in paths["/svc/things/{thing_id}"]["put"]["parameters"] if p["name"] == "note")
    assert note["schema"]["pattern"] == responses.NO_NUL


async def test_a_nul_in_a_parameter_is_a_422_naming_it_and_a_405_lists_every_method_of_the_path():
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        nul = await http.put("/svc/things/a?note=x%00y")
        assert nul.status_code == 422
        assert nul.headers["content-type"] == "application/problem+json"
        assert nul.json()["errors"][0]["location"] == ["query", "note"]
        refused = await http.delete("/svc/things/a")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, PUT"


class Dated(Schema):
    on: date | None = None
    score: float | None = None


@pytest.mark.parametrize("data", [{"on": 0}, {"on": 1.5}, {"score": True}, {"score": False}])
def test_numbers_are_not_dates_and_booleans_are_not_numbers(data):
    with pytest.raises(ValidationError):
        Dated.model_validate(data)
