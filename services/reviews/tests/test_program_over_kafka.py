"""A generated program (>= 150 schools in >= 20 districts over 3 school years) whose roster, teams and results
go through the real broker into the running service; its site reviews and narratives go through the API. The
recognitions, readiness lists and analytics equal an independent computation from the plan, and the review
and recognition events come out on the reviews topic."""

import contextlib
import json
import math
import uuid
from collections import defaultdict

import numpy as np
import pytest
from plc_shared.components import by_name
from plc_shared.db import create_engine
from plc_shared.events import CloudEvent
from plc_shared.kafka import ensure_topics
from plc_shared.testing import consume, eventually, migrated_database, publish
from plc_shared.topics import ASSESSMENTS, FLAGS, GOALS, RESULTS, REVIEWS, ROSTER
from reviews.config import Settings
from reviews.main import create_app
from reviews.models import inbox
from reviews.testing import YEARS, api, generated_program, run_program
from scipy import stats
from sqlalchemy import func, select

APART = 2  # sustaining: a site review at least two school years after the last recognition


@pytest.fixture
def kafka(kafka_settings):
    return kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )


@contextlib.asynccontextmanager
async def service(create_database, kafka):
    url = await migrated_database(create_database, by_name("reviews"))
    settings = Settings(database_url=url, kafka=kafka, log_level="WARNING", sustaining_years_apart=APART)
    app = create_app(settings)
    engine = create_engine(url, pool_size=2)
    try:
        async with app.router.lifespan_context(app):
            yield app, engine
    finally:
        await engine.dispose()


async def handled(engine, consumer: str) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer)
        return (await conn.execute(stmt)).scalar_one()


def expected(program, indicator_ids: list[str]):
    """Recognitions and readiness from the plan alone, in the order the test makes them happen."""
    recognitions, readiness = {}, {}
    for s in program.schools:
        history = []
        for y in (y for y in YEARS if y >= s.entry_year):
            met = s.levels[y] >= 2 and not s.weak[y] and s.proficient[y] >= 14 and s.narrative[y]
            if met and not history:
                history.append(("exemplary", y))
            elif met and y - history[-1][1] >= APART:
                history.append(("sustaining", y))
        recognitions[s.school_id] = history
        below = indicator_ids if s.levels[2026] < 2 else (["respond.pyramid"] if s.weak[2026] else [])
        unmet = [f"indicators below Proficient on the 2026 site review: {', '.join(below)}"] if below else []
        if s.proficient[2026] < 14:
            unmet.append(f"percent proficient {s.proficient[2026] * 5:g} below 70 in 2026")
        if not s.narrative[2026]:
            unmet.append("no reflective narrative for 2026")
        if history and 2026 - history[-1][1] < APART:
            last = history[-1][1]
            unmet.append(f"a site review in {last + APART} or later ({APART} years after {last})")
        readiness[s.school_id] = unmet
    return recognitions, readiness


def district_implementation(program) -> dict[str, bool]:
    counts = defaultdict(int)
    for s in program.schools:
        counts[s.district] += 1
    di = {d: counts[d] == b or 2 * counts[d] > b for d, b in program.buildings.items()}
    return {s.school_id: di[s.district] for s in program.schools}


async def test_a_generated_program_through_the_broker_equals_an_independent_computation(
    create_database, kafka
):
    program = generated_program()
    assert len(program.schools) >= 150 and len(program.buildings) >= 20
    await ensure_topics(kafka, [RESULTS, ROSTER, ASSESSMENTS, GOALS, FLAGS, REVIEWS])
    async with service(create_database, kafka) as (app, engine):
        envelopes = [CloudEvent.wrap(e) for e in program.roster]
        for topic in (ROSTER, ASSESSMENTS, GOALS, FLAGS):
            await publish(
                kafka.bootstrap_servers,
                kafka.topic(topic.name),
                [e for e in envelopes if e.payload().topic == topic.name],
            )
        results = [CloudEvent.wrap(e) for e in program.results]
        await publish(kafka.bootstrap_servers, kafka.topic(RESULTS.name), results)
        assert await eventually(lambda: _at_least(engine, "reviews-facts", len(envelopes)), timeout_s=90)
        assert await eventually(lambda: _at_least(engine, "reviews-results", len(results)), timeout_s=90)

        async with api(app, "analyst", "d00") as analyst:
            rubric = (await analyst.get("/rubrics/current")).json()
        await run_program(app, program, rubric)
        indicator_ids = [i["id"] for s in rubric["strands"] for i in s["indicators"]]
        want_recognitions, want_readiness = expected(program, indicator_ids)

        got_recognitions, got_readiness = defaultdict(list), {}
        for district in program.buildings:
            async with api(app, "district_admin", district) as admin:
                for r in (await admin.get("/recognitions")).json():
                    got_recognitions[r["school_id"]].append((r["level"], r["school_year"]))
                for r in (await admin.get("/recognitions/readiness")).json():
                    got_readiness[r["school_id"]] = r["unmet"]
        assert {k: v for k, v in got_recognitions.items()} == {
            k: v for k, v in want_recognitions.items() if v
        }
        assert got_readiness == want_readiness
        levels = {lv for v in want_recognitions.values() for lv, _ in v}
        assert levels == {"exemplary", "sustaining"}  # the generated plan exercises both

        await check_analytics(app, program, want_recognitions)
        await check_evidence(app, program)

        n_recognized = sum(len(v) for v in want_recognitions.values())
        n_reviews = sum(1 for s in program.schools for y in YEARS if y >= s.entry_year)
        records = await consume(
            kafka.bootstrap_servers, kafka.topic(REVIEWS.name),
            until=lambda rs: len(rs) >= n_reviews + n_recognized, timeout_s=60,
        )  # fmt: skip
        types = [json.loads(r.value)["type"] for r in records]
        assert types.count("org.plc.reviews.review.finalized.v1") == n_reviews
        assert types.count("org.plc.reviews.school.recognized.v1") == n_recognized


async def check_analytics(app, program, recognitions) -> None:
    di = district_implementation(program)
    recognized = {s for s, v in recognitions.items() if v}
    others = set(di) - recognized
    k_all, k_rec, k_oth = sum(di.values()), sum(di[s] for s in recognized), sum(di[s] for s in others)
    async with api(app, "analyst", "d00") as analyst:
        got = (await analyst.get("/analytics/district-implementation?scope=program")).json()
        corr = (await analyst.get("/analytics/implementation-achievement?scope=program")).json()
        trends = (await analyst.get("/analytics/trends?scope=program")).json()
    assert (got["schools"], got["districts"]) == (len(program.schools), len(program.buildings))
    cmp = got["non_recognized_vs_recognized"]
    assert (cmp["a"]["k"], cmp["a"]["n"], cmp["b"]["k"], cmp["b"]["n"]) == (
        k_oth,
        len(others),
        k_rec,
        len(recognized),
    )
    assert (got["program_vs_recognized"]["a"]["k"], got["program_vs_recognized"]["a"]["n"]) == (
        k_all,
        len(di),
    )
    p1, p2 = k_oth / len(others), k_rec / len(recognized)
    pooled = (k_oth + k_rec) / (len(others) + len(recognized))
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / len(others) + 1 / len(recognized)))
    assert cmp["z"] == pytest.approx(z, rel=1e-9)
    assert cmp["p"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert ("not significant" in cmp["verdict"]) is (not cmp["significant"])

    percent = {}
    for s in program.schools:
        below = 19 if s.levels[2026] < 2 else (1 if s.weak[2026] else 0)
        percent[s.school_id] = (100 * (19 - below) / 19, s.proficient[2026] * 5.0)
    x, y = zip(*percent.values(), strict=True)
    assert corr["n"] == len(program.schools)
    assert corr["pearson"]["r"] == pytest.approx(float(np.corrcoef(x, y)[0, 1]), abs=1e-9)
    for t in trends[
        "by_year"
    ]:  # strand points from the plan: every indicator at the year's level, but a weak one
        y = int(t["value"])
        reviewed = [s for s in program.schools if y >= s.entry_year]
        culture = sum(s.levels[y] / 3 for s in reviewed) / len(reviewed)
        respond = sum((2 * s.levels[y] + 1) / 9 if s.weak[y] else s.levels[y] / 3 for s in reviewed) / len(
            reviewed
        )
        assert t["n"] == len(reviewed)
        assert t["strands"]["culture"]["points"] == pytest.approx(culture, abs=1e-9)
        assert t["strands"]["respond"]["points"] == pytest.approx(respond, abs=1e-9)
    di_groups = {t["value"]: t["n"] for t in trends["by_district_implementation"]}
    di_reviews = sum(1 for s in program.schools for y in YEARS if y >= s.entry_year and di[s.school_id])
    assert di_groups.get("district implementation", 0) == di_reviews


async def check_evidence(app, program) -> None:
    """The goals and interventions events of each district's first school, through the broker, as evidence."""
    first = {}
    for s in program.schools:
        first.setdefault(s.district, s.school_id)
    for district, school_id in list(first.items())[:3]:
        async with api(app, "district_admin", district) as admin:
            got = (await admin.get(f"/schools/{school_id}/evidence/2026")).json()
        assert got["goals"]["teams_with_active_goal"] == 1 and got["goals"]["goals_on_track_share"] == 1.0
        assert got["support"] == {"flagged_students": 2, "median_days_flag_to_intervention": 5.0,
                                  "flagged_with_intervention_share": 0.5, "exited_share": 0.0}  # fmt: skip


async def _at_least(engine, consumer: str, n: int) -> bool:
    return await handled(engine, consumer) >= n
