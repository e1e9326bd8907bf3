"""No 5xx from any input (issue 21, point 4): each input the issue found answered with a 500 is now a 4xx
problem+json naming the field, and changes no row. Through the gateway (as the issue found them) and straight
to the service, on the four services served for real on migrated PostgreSQL databases and the run's broker.

The shapes, as JSON carries them (RFC 8259): Python's json reads `NaN`, `Infinity` and `-Infinity` literals
and `\\ud800` escapes (a lone UTF-16 surrogate, which UTF-8 cannot encode), so these bodies are written as raw
JSON text. PATCH follows JSON merge patch (RFC 7396): `null` clears a nullable field, and is a 422 for a field
that cannot be empty. The limits: ids 255 characters (a btree entry must fit a page), other text 10,000
(plc_shared/schemas.py).
"""

from __future__ import annotations

import io
import uuid
import zipfile

import httpx
import pytest
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from goals import testing as goal_events
from goals.config import Settings as GoalsSettings
from goals.main import create_app as goals_app
from interventions.config import Settings as InterventionsSettings
from interventions.main import create_app as interventions_app
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually, migrated_database, serve_app
from plc_shared.topics import ALL
from reviews.config import Settings as ReviewsSettings
from reviews.main import create_app as reviews_app
from sqlalchemy import text

AUTH = AuthSettings(environment="dev")
D = "limits-d1"
GV, IV = "/goals/v1", "/interventions/v1"
SERVICES = {
    "assessments": (AssessmentsSettings, assessments_app),
    "goals": (GoalsSettings, goals_app),
    "interventions": (InterventionsSettings, interventions_app),
    "reviews": (ReviewsSettings, reviews_app),
}
GOAL = (
    '{"title": "Fractions", "measure": {"kind": "proficient", "assessment_id": "a1"},'
    ' "population": {"kind": "school"}, "baseline": {"value": 20.0}, "target": %s,'
    ' "start": "2026-09-01", "deadline": "2027-05-20"}'
)
LONG_ID = "x" * 600_000


def headers(role: Role, schools: tuple[str, ...] = ("s1",)) -> dict[str, str]:
    token = mint_dev_token(AUTH, role=role, district_id=D, school_ids=list(schools), ttl_seconds=3600)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


LEADER, SIS, ADMIN = Role.SCHOOL_LEADER, Role.SIS_INTEGRATION, Role.DISTRICT_ADMIN


@pytest.fixture(scope="module")
async def stack(create_database, kafka_settings):
    """name → (client straight to it, client through the gateway); and the services' database URLs."""
    kafka_settings = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(kafka_settings, list(ALL))
    common = {"kafka": kafka_settings, "auth": AUTH, "log_level": "ERROR", "relay_poll_interval_s": 0.05}
    databases = {name: await migrated_database(create_database, by_name(name)) for name in SERVICES}
    apps = {
        name: factory(cls(database_url=databases[name], **common))
        for name, (cls, factory) in SERVICES.items()
    }
    urls: dict[str, str] = {}
    databases["gateway"] = await migrated_database(create_database, GATEWAY)
    async with (
        serve_app(apps["assessments"]) as urls["assessments"],
        serve_app(apps["goals"]) as urls["goals"],
        serve_app(apps["interventions"]) as urls["interventions"],
        serve_app(apps["reviews"]) as urls["reviews"],
    ):
        settings = GatewaySettings(
            database_url=databases["gateway"], upstreams=dict(urls), audit_flush_interval_s=0.05, **common
        )
        gateway = gateway_app(settings)
        async with (
            serve_app(gateway) as gateway_url,
            httpx.AsyncClient(base_url=gateway_url, timeout=60) as gw,
        ):
            clients = {name: httpx.AsyncClient(base_url=url, timeout=60) for name, url in urls.items()}
            try:
                yield {"gateway": gw, **clients}, databases
            finally:
                for client in clients.values():
                    await client.aclose()


async def rows(database_url: str, sql: str) -> list[tuple]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


def refused(response: httpx.Response, location: list, words: str, status: int = 422) -> None:
    """A 4xx problem+json whose errors name the field at `location` with a message containing `words`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["location"] == location and words in e["message"] for e in errors), errors


@pytest.fixture(scope="module")
async def goal_setup(stack):
    """Goals knows school s1, its staff and assessment a1 (from the roster's events); a leadership team."""
    clients, databases = stack
    engine = create_engine(databases["goals"], pool_size=1)
    await goal_events.apply(
        make_sessionmaker(engine),
        goal_events.school(D, "s1"),
        goal_events.staff(D, "admin", "administrator", "s1"),
        *[goal_events.staff(D, f"t{i}", "teacher", "s1") for i in range(3)],
        goal_events.assessment(D, "a1", ["std1"]),
    )
    await engine.dispose()
    team = {"kind": "leadership", "name": "LT", "member_ids": ["admin", "t0", "t1", "t2"]}
    response = await clients["goals"].post(f"{GV}/schools/s1/teams", json=team, headers=headers(LEADER))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("via", ["gateway", "goals"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_a_non_finite_goal_target_is_a_422_and_no_goal(stack, goal_setup, via, number):
    clients, databases = stack
    before = await rows(databases["goals"], "SELECT count(*) FROM goals")
    response = await clients[via].post(
        f"{GV}/schools/s1/goals", content=GOAL % number, headers=headers(LEADER)
    )
    refused(response, ["body", "target"], "finite number")
    assert await rows(databases["goals"], "SELECT count(*) FROM goals") == before
    created = await clients[via].post(f"{GV}/schools/s1/goals", content=GOAL % "80", headers=headers(LEADER))
    assert created.status_code == 201, created.text  # the same body with a number is a goal


@pytest.fixture(scope="module")
async def active_goal(stack, goal_setup) -> dict:
    clients, _ = stack
    leader = clients["goals"]
    goal = (await leader.post(f"{GV}/schools/s1/goals", content=GOAL % "80", headers=headers(LEADER))).json()
    assert (
        await leader.post(f"{GV}/goals/{goal['id']}/activate", headers=headers(LEADER))
    ).status_code == 200
    plan = {"question": "Do exit tickets help?", "change_idea": "Daily exit tickets",
            "prediction": {"value": 60.0, "by": "2026-10-10"}}  # fmt: skip
    cycle = await leader.post(f"{GV}/goals/{goal['id']}/cycles", json=plan, headers=headers(LEADER))
    assert cycle.status_code == 201, cycle.text
    return {**goal, "cycle": cycle.json()["id"]}


@pytest.mark.parametrize("via", ["gateway", "goals"])
@pytest.mark.parametrize(
    "field", ["title", "measure", "population", "direction", "target", "interim_targets", "start", "deadline",
              "strategies"],
)  # fmt: skip
async def test_null_on_a_goal_field_that_cannot_be_empty_is_a_422_and_the_goal_is_unchanged(
    stack, active_goal, via, field
):
    clients, databases = stack
    query = f"SELECT version, body FROM goals WHERE id = '{active_goal['id']}'"
    before = await rows(databases["goals"], query)
    response = await clients[via].patch(
        f"{GV}/goals/{active_goal['id']}", json={field: None}, headers=headers(LEADER)
    )
    refused(response, ["body", field], "cannot be null")
    assert await rows(databases["goals"], query) == before


async def test_null_clears_a_goal_baseline_and_a_plan_prediction(stack, active_goal):
    """The nullable fields: `null` clears them (RFC 7396), through the gateway."""
    clients, _ = stack
    goal = f"{GV}/goals/{active_goal['id']}"
    cleared = await clients["gateway"].patch(goal, json={"baseline": None}, headers=headers(LEADER))
    assert cleared.status_code == 200 and cleared.json()["baseline"] is None, cleared.text
    plan = f"{goal}/cycles/{active_goal['cycle']}/plan"
    cleared = await clients["gateway"].patch(plan, json={"prediction": None}, headers=headers(LEADER))
    assert cleared.status_code == 200 and cleared.json()["plan"]["prediction"] is None, cleared.text


@pytest.mark.parametrize("via", ["gateway", "goals"])
@pytest.mark.parametrize("field", ["question", "change_idea", "tasks"])
async def test_null_on_a_plan_field_that_cannot_be_empty_is_a_422_and_the_plan_is_unchanged(
    stack, active_goal, via, field
):
    clients, databases = stack
    query = f"SELECT body FROM pdsa_cycles WHERE id = '{active_goal['cycle']}'"
    before = await rows(databases["goals"], query)
    path = f"{GV}/goals/{active_goal['id']}/cycles/{active_goal['cycle']}/plan"
    response = await clients[via].patch(path, json={field: None}, headers=headers(LEADER))
    refused(response, ["body", field], "cannot be null")
    assert await rows(databases["goals"], query) == before


async def test_a_patch_breaking_a_rule_across_fields_is_a_422_not_a_500(stack, active_goal):
    """The merged goal is validated as a whole: an unknown measure kind names the body's field."""
    clients, _ = stack
    response = await clients["gateway"].patch(
        f"{GV}/goals/{active_goal['id']}", json={"measure": {"kind": "proficient", "nope": 1}},
        headers=headers(LEADER),
    )  # fmt: skip
    assert response.status_code == 422, response.text


ASSIGNMENT = (
    '{"intervention_id": "%s", "student_id": %s, "start_on": "2026-09-07", "planned_weeks": 6,'
    ' "champion": "staff-7", "baseline": %s, "goal": 70, "goal_date": "2026-10-19"}'
)


@pytest.mark.parametrize("via", ["gateway", "interventions"])
@pytest.mark.parametrize(
    ("student", "baseline", "location", "words"),
    [
        ('"\\ud800"', "40", ["body", "student_id"], "lone surrogate"),
        ('"st\\udfff1"', "40", ["body", "student_id"], "lone surrogate"),
        ('"st\\u00001"', "40", ["body", "student_id"], "NUL"),
        ('"%s"' % ("s" * 256), "40", ["body", "student_id"], "at most 255 characters"),
        ('"st1"', "NaN", ["body", "baseline"], "finite number"),
        ('"st1"', "-Infinity", ["body", "baseline"], "finite number"),
    ],
)
async def test_an_assignment_with_unstorable_input_is_a_422_and_no_assignment(
    stack, via, student, baseline, location, words
):
    clients, databases = stack
    body = ASSIGNMENT % (uuid.uuid4(), student, baseline)
    response = await clients[via].post(f"{IV}/assignments", content=body, headers=headers(Role.TEACHER))
    refused(response, location, words)
    assert await rows(databases["interventions"], "SELECT count(*) FROM assignments") == [(0,)]


@pytest.mark.parametrize("via", ["gateway", "assessments"])
async def test_a_600k_character_staff_sourced_id_is_a_422_naming_the_row_and_nothing_is_stored(stack, via):
    """A roster PUT is validated as one body (a schema error anywhere is a 422 naming the row and field; rows
    that break a rule on stored data are the 200's `rejected`): it no longer reaches PostgreSQL's btree."""
    clients, databases = stack
    orgs = {"records": [{"sourced_id": "s1", "name": "School 1", "type": "school"}]}
    assert (
        await clients[via].put("/assessments/roster/orgs", json=orgs, headers=headers(SIS))
    ).status_code == 200
    staff = {"given_name": "A", "family_name": "B", "roles": ["teacher"], "school_ids": ["s1"]}
    good = f"staff-ok-{via}"
    body = {"records": [{**staff, "sourced_id": good}, {**staff, "sourced_id": LONG_ID}]}
    response = await clients[via].put("/assessments/roster/staff", json=body, headers=headers(SIS))
    refused(response, ["body", "records", 1, "sourced_id"], "at most 255 characters")
    assert await rows(databases["assessments"], f"SELECT 1 FROM staff WHERE sourced_id = '{good}'") == []
    fixed = await clients[via].put("/assessments/roster/staff", json={"records": body["records"][:1]},
                                   headers=headers(SIS))  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["upserted"] == 1, fixed.text


@pytest.mark.parametrize("via", ["gateway", "assessments"])
@pytest.mark.parametrize(
    ("path", "location", "words"),
    [
        ("/assessments/roster/staff/" + "x" * 256, ["path", "staff_id"], "at most 255 characters"),
        ("/assessments/roster/staff/st%00x", ["path", "staff_id"], "NUL"),
        (
            "/assessments/roster/classes?school_id=" + "x" * 256,
            ["query", "school_id"],
            "at most 255 characters",
        ),
        ("/assessments/roster/classes?school_id=s%00", ["query", "school_id"], "NUL"),
    ],
)
async def test_an_unstorable_path_or_query_parameter_is_a_422_naming_it(stack, via, path, location, words):
    clients, _ = stack
    refused(await clients[via].get(path, headers=headers(ADMIN)), location, words)


def oneroster_package(users: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n"
        archive.writestr("manifest.csv", manifest + "file.orgs,bulk\r\nfile.users,bulk\r\n")
        archive.writestr("orgs.csv", "sourcedId,name,type\r\nimp-s1,Imported school,school\r\n")
        archive.writestr("users.csv", users)
    return buffer.getvalue()


@pytest.mark.parametrize("via", ["gateway", "assessments"])
async def test_an_over_long_id_in_a_oneroster_csv_is_a_row_problem_and_the_good_rows_import(stack, via):
    """OneRoster 1.2 CSV binding, users.csv (sourcedId, enabledUser, orgSourcedIds, role, givenName,
    familyName): row 3's sourcedId and row 4's second org id are over 255 characters."""
    clients, databases = stack
    header = "sourcedId,enabledUser,orgSourcedIds,role,givenName,familyName\r\n"
    users = (
        header
        + f"u-ok-{via},true,imp-s1,teacher,Ana,Lopez\r\n"
        + f"{'u' * 300},true,imp-s1,teacher,Ben,Okafor\r\n"
        + f'u-bad-org-{via},true,"imp-s1,{"o" * 300}",teacher,Cleo,Nguyen\r\n'
    )
    response = await clients[via].post(
        "/assessments/imports/oneroster",
        content=oneroster_package(users),
        headers={**headers(SIS), "Content-Type": "application/zip"},
    )
    assert response.status_code == 200, response.text[:500]
    report = response.json()
    problems = [(p["file"], p["row"], p["column"]) for p in report["problems"]]
    assert problems == [("users.csv", 3, "sourcedId"), ("users.csv", 4, "orgSourcedIds")], report
    assert all("at most 255 characters" in p["reason"] for p in report["problems"])
    assert await rows(
        databases["assessments"], f"SELECT sourced_id FROM staff WHERE sourced_id = 'u-ok-{via}'"
    ) == [(f"u-ok-{via}",)]


async def test_a_nul_in_a_proxied_path_is_audited_and_does_not_block_the_audit(stack):
    """The gateway audits the call with the NUL shown as U+FFFD; it used to fail the whole batch insert, then
    every later one (the entries are kept for the next try), so no call was audited any more."""
    clients, databases = stack
    response = await clients["gateway"].get("/assessments/students/nul%00here", headers=headers(ADMIN))
    refused(response, ["path", "student_id"], "NUL")
    after = await clients["gateway"].get("/assessments/students/after-the-nul", headers=headers(ADMIN))
    assert after.status_code == 404, after.text

    async def audited() -> list[tuple]:
        sql = "SELECT path FROM audit_log WHERE path LIKE '/assessments/students/%' ORDER BY id"
        return await rows(databases["gateway"], sql)

    assert await eventually(lambda: _has_both(audited), timeout_s=10, interval_s=0.1)


async def _has_both(audited) -> bool:
    paths = {p for (p,) in await audited()}
    return {"/assessments/students/nul\ufffdhere", "/assessments/students/after-the-nul"} <= paths
