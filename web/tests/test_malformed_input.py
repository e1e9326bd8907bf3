"""What a user can type or craft never makes a web page answer 5xx, and never reaches another API route
(issue 21, point 4). The web app is served for real against a recording stand-in for the gateway, which
notes every request's raw path and answers a problem+json 404 (or an empty list for the lists a page reads).

- A crafted `school_id` on the goals and reviews history pages is one encoded path segment of the API call
  it was meant for (it used to be put in unencoded: `s1/../../assessments/...` made the web app GET another
  route with the user's token), and the page answers 404 like any unknown school.
- The ratings form with `level.X=abc`: a 422 page naming the field, and nothing sent to the API.
- A goal edit with `target=nan` / `inf` (Python's float reads them; JSON cannot carry them): a 422 page.
"""

from __future__ import annotations

import contextlib
import re
import uuid

import httpx
import pytest
from plc_shared.testing import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from web.main import create_app
from web.testing import web_settings

SIGN_IN = {"role": "school_leader", "district": "d1", "school": "s1", "classes": "", "name": "Ms Rivera"}
GOAL = {
    "title": "Fractions",
    "target": 80.0,
    "start": "2026-09-01",
    "deadline": "2027-05-20",
    "interim_targets": [],
}
CRAFTED = "s1/../../assessments/roster/staff?school_id=s1#"


class Recorder:
    """The gateway's stand-in: every request's method and raw path, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.app = Starlette(
            routes=[Route("/{rest:path}", self.answer, methods=["GET", "POST", "PUT", "PATCH"])]
        )

    async def answer(self, request: Request) -> JSONResponse:
        self.calls.append((request.method, request.scope["raw_path"].decode()))
        if request.url.path.endswith(("/teams", "/program/schools", "/roster/schools")):
            return JSONResponse([])
        if request.method == "GET" and request.url.path.startswith("/goals/v1/goals/"):
            return JSONResponse(GOAL)  # a goal to edit
        problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such thing."}
        return JSONResponse(problem, status_code=404, media_type="application/problem+json")


@pytest.fixture(scope="module")
async def web(web_db):
    recorder = Recorder()
    async with serve_app(recorder.app) as gateway_url:
        app = create_app(web_settings(web_db, gateway_url=gateway_url))
        async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as client:
            page = await client.get("/app/signin")
            response = await client.post("/app/signin", data={**SIGN_IN, "csrftoken": token_of(page.text)})
            assert response.status_code == 303, response.text
            yield client, recorder


def token_of(html: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', html)[1]


@contextlib.contextmanager
def recorded(recorder: Recorder):
    start = len(recorder.calls)
    calls: list[tuple[str, str]] = []
    yield calls
    calls.extend(recorder.calls[start:])


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/app/goals", "/goals/v1/schools/{}/goals"),
        ("/app/reviews/history", "/reviews/v1/schools/{}/reviews"),
    ],
)
async def test_a_crafted_school_id_stays_one_encoded_segment_of_the_intended_call(web, page, expected):
    client, recorder = web
    with recorded(recorder) as calls:
        response = await client.get(page, params={"school_id": CRAFTED})
    assert response.status_code == 404, response.text  # the unknown school, as the API said
    encoded = "s1%2F..%2F..%2Fassessments%2Froster%2Fstaff%3Fschool_id%3Ds1%23"
    assert ("GET", expected.format(encoded)) in calls, calls
    assert all(path.startswith(expected.split("{}")[0]) or "/roster/schools" in path for _, path in calls), (
        calls
    )


async def test_a_dot_dot_school_id_is_not_resolved_away(web):
    client, recorder = web
    with recorded(recorder) as calls:
        response = await client.get("/app/goals", params={"school_id": ".."})
    assert response.status_code == 404, response.text
    assert ("GET", "/goals/v1/schools/%2E%2E/goals") in calls, calls


@pytest.mark.parametrize("level", ["abc", "1.5", "-1", "²", "99999999999999999999"])
async def test_a_malformed_level_on_the_ratings_form_is_a_422_page_and_nothing_is_sent(web, level):
    client, recorder = web
    review_id = uuid.uuid4()
    page = await client.get("/app/signin")
    form = {"csrftoken": token_of(page.text), "level.culture.mission": level, "notes.culture.mission": "n"}
    with recorded(recorder) as calls:
        response = await client.post(f"/app/reviews/{review_id}/ratings", data=form)
    assert response.status_code == 422, response.text
    assert "level.culture.mission" in response.text and "whole number" in response.text
    assert calls == []


@pytest.mark.parametrize("target", ["nan", "inf", "-Infinity", "1e999"])
async def test_a_non_finite_target_on_the_goal_edit_form_is_a_422_page(web, target):
    client, recorder = web
    page = await client.get("/app/signin")
    form = {"csrftoken": token_of(page.text), "title": "Fractions", "target": target,
            "start": "2026-09-01", "deadline": "2027-05-20"}  # fmt: skip
    with recorded(recorder) as calls:
        response = await client.post(f"/app/goals/{uuid.uuid4()}/edit", data=form)
    assert response.status_code == 422, response.text
    assert "target" in response.text
    assert [method for method, _ in calls if method != "GET"] == []
