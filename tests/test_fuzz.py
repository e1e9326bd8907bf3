"""Schemathesis against every service and the gateway, each served for real (uvicorn) on its own migrated
PostgreSQL database and the run's broker: every check, every phase including the stateful one, a fixed seed,
bounded examples, as a district admin and as a teacher. 0 failures.

`make fuzz` runs the same with many more examples (FUZZ_EXAMPLES); the counts of each run are printed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from goals.config import Settings as GoalsSettings
from goals.main import create_app as goals_app
from interventions.config import Settings as InterventionsSettings
from interventions.main import create_app as interventions_app
from plc_shared import fuzzing
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import migrated_database, serve_app
from plc_shared.topics import ALL
from reviews.config import Settings as ReviewsSettings
from reviews.main import create_app as reviews_app

AUTH = AuthSettings(environment="dev")
SERVICES = {
    "assessments": (AssessmentsSettings, assessments_app),
    "goals": (GoalsSettings, goals_app),
    "interventions": (InterventionsSettings, interventions_app),
    "reviews": (ReviewsSettings, reviews_app),
}
DISTRICT = "fuzz-d1"
Exemption = fuzzing.Exemption
# Where a check is wrong for an operation (each with why). Nothing else is exempted from anything.
EXEMPTIONS = (
    Exemption(
        "^(PUT /goals/v1/teams/{team_id}/checklist|PUT /assessments/assessments/{assessment_id}/quality)$",
        "positive_data_acceptance",
        ("422",),
        "rules across a list's items and fields JSON Schema cannot state: each critical issue (each key of quality) "
        "once in the list (uniqueItems compares whole items, not one member), a note where a key is not met",
    ),
    Exemption(
        "^PUT /goals/v1/thresholds$",
        "positive_data_acceptance",
        ("422",),
        "a cross-field rule JSON Schema cannot state: at_risk < on_track (each range is in the schema)",
    ),
    Exemption(
        "^(POST /assessments/assessments|PUT /assessments/assessments/{assessment_id})$",
        "positive_data_acceptance",
        ("422",),
        "cross-field rules JSON Schema cannot state: mastery_cut >= proficiency_cut, window_end >= window_start",
    ),
    Exemption(
        "^(PUT|POST) /assessments/results(/bulk)?$",
        "positive_data_acceptance",
        ("422",),
        "rules on stored state and across fields: the assessment must exist, be published and open, the score "
        "within its max_score; a 'fully graded' result needs a total or part scores (bulk: atomic=true)",
    ),
    Exemption(
        "^POST /assessments/imports/oneroster$",
        "positive_data_acceptance",
        ("422",),
        "the body is a zip of OneRoster CSV files, which no schema-driven generator can produce",
    ),
    Exemption(
        "^PUT /ims/oneroster/gradebook/v1p2/(lineItems|assessmentLineItems|results|assessmentResults)/{sourced_id}$",
        "positive_data_acceptance",
        ("422",),
        "rules on stored state: resultValueMax is required to create a line item (not to replace one); a "
        "result's line item and student must exist",
    ),
    Exemption(
        "^GET /ims/oneroster/(gradebook/v1p2/(lineItems|assessmentLineItems|results|assessmentResults|scoreScales"
        "|categories|classes/{class_id}/.*)|rostering/v1p2/(classes|orgs|schools|academicSessions|gradingPeriods"
        "|terms|courses|users|students|teachers))$",
        "positive_data_acceptance",
        ("400",),
        "`filter` is the binding's query language (field, operator, typed value; AND/OR), which JSON Schema "
        "cannot state; a malformed one is the binding's 400 invalid_filter_field / invaliddata",
    ),
    Exemption(
        "^(POST /assessments/results/bulk|PUT /assessments/roster/.*)$",
        "negative_data_rejection",
        ("200",),
        "bulk bodies are validated row by row: a bad row is reported by index, field and reason in a 200 and "
        "never fails the request (ARCHITECTURE.md, section 4); atomic=true turns it into a 422",
    ),
    Exemption(
        "^POST /reviews/v1/rubrics$",
        "positive_data_acceptance",
        ("422",),
        "a rule across list items JSON Schema cannot state: strand, indicator and level ids are unique",
    ),
    Exemption(
        "^GET /assessments/assessments/{assessment_id}/results$",
        "positive_data_acceptance",
        ("422",),
        "`cursor` is opaque: only a cursor a page's Link handed out is valid, which a generator cannot produce",
    ),
    Exemption(
        "^GET /interventions/v1/flags$",
        "positive_data_acceptance",
        ("422",),
        "`cursor` is opaque: only a cursor a page's Link handed out is valid, which a generator cannot produce",
    ),
    Exemption(
        "^GET /interventions/v1/flags/changes$",
        "positive_data_acceptance",
        ("422",),
        "`cursor` is opaque: only a cursor the feed handed out is valid, which a generator cannot produce",
    ),
    Exemption(
        "^PUT /interventions/v1/schools/{school_id}/rules$",
        "positive_data_acceptance",
        ("422",),
        "a cross-field rule JSON Schema cannot state: both cuts or neither",
    ),
)
ROLES = {
    Role.DISTRICT_ADMIN: {"school_ids": (), "class_ids": ()},
    Role.TEACHER: {"school_ids": ("s1",), "class_ids": ("c1",)},
}


@pytest.fixture(scope="module")
async def stack(create_database, kafka_settings) -> AsyncIterator[dict[str, str]]:
    """The four services and the gateway in front of them: name → base URL."""
    kafka_settings = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(kafka_settings, list(ALL))
    common = {"kafka": kafka_settings, "auth": AUTH, "log_level": "ERROR", "relay_poll_interval_s": 0.05}
    urls: dict[str, str] = {}
    apps = []
    for name, (settings_class, factory) in SERVICES.items():
        database_url = await migrated_database(create_database, by_name(name))
        apps.append((name, factory(settings_class(database_url=database_url, **common))))
    gateway_db = await migrated_database(create_database, GATEWAY)
    async with (
        serve_app(apps[0][1]) as urls[apps[0][0]],
        serve_app(apps[1][1]) as urls[apps[1][0]],
        serve_app(apps[2][1]) as urls[apps[2][0]],
        serve_app(apps[3][1]) as urls[apps[3][0]],
    ):
        # Rate limits out of the way: the fuzzer sends hundreds of requests a second with one token, and probes
        # every operation once with invalid credentials, all from one address (which would be throttled).
        limits = {
            "rate_per_principal": 1e6,
            "burst_per_principal": 10**6,
            "rate_per_tenant": 1e6,
            "burst_per_tenant": 10**6,
            "auth_failures_per_source": "1000000/minute",
        }
        settings = GatewaySettings(database_url=gateway_db, upstreams=dict(urls), **limits, **common)
        async with serve_app(gateway_app(settings)) as urls["gateway"]:
            yield urls


def coverage(target: str, role: Role) -> str:
    """Which operations get the coverage phase. `make fuzz` (FUZZ_FULL=1): all of them, every target, both
    roles. CI keeps to ~4 minutes on 2 cores: the district admin's run of each service covers every operation;
    the gateway's covers its own (the services' operations get theirs straight, and the gateway still fuzzes
    them, stateful phase included); the teacher's runs skip it (what differs there is mostly 403s)."""
    if os.environ.get("FUZZ_FULL") == "1":
        return fuzzing.ALL
    if role is not Role.DISTRICT_ADMIN:
        return fuzzing.NONE
    return "^[A-Z]+ /gateway/" if target == "gateway" else fuzzing.ALL


def bearer(role: Role) -> str:
    return mint_dev_token(AUTH, role=role, district_id=DISTRICT, ttl_seconds=3 * 3600, **ROLES[role])


@pytest.mark.parametrize("role", list(ROLES), ids=str)
@pytest.mark.parametrize("target", [*SERVICES, "gateway"])
async def test_schemathesis_finds_nothing(stack, target, role):
    report = await fuzzing.fuzz(
        f"{target} as {role}",
        stack[target],
        bearer=bearer(role),
        max_examples=fuzzing.examples(),
        exemptions=EXEMPTIONS,
        coverage=coverage(target, role),
    )
    print(report.summary())
    if os.environ.get("FUZZ_REPORT_DIR"):  # the whole report, for `make fuzz` and for triage
        out = Path(os.environ["FUZZ_REPORT_DIR"]) / f"{target}-{role}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report.explain())
    assert report.operations > 0 and report.test_cases > 0, report.explain()
    assert report.failures == 0 and not report.errors, report.explain()


@pytest.mark.parametrize("target", [*SERVICES, "gateway"])
async def test_hostile_shapes_find_no_5xx(stack, target):
    """What the schema-driven generator does not make (plc_shared.fuzzing.hostile_requests), on every
    operation of the target, one hostile value at a time: non-finite numbers, lone surrogates, NUL, over-long
    text in every body leaf and parameter, `null` for every top-level body field. No answer is a 5xx."""
    failures = await fuzzing.hostile(stack[target], bearer=bearer(Role.DISTRICT_ADMIN))
    assert failures == [], "\n".join(failures[:40])
