"""The stack every browser test drives: the four services, the gateway and the web app served for real on
migrated databases with the real broker, one headless Chromium (Debian's), and the seeding every page needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from assessments.config import Settings as AssessmentsSettings
from assessments.main import create_app as assessments_app
from assessments.testing import District
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from goals.config import Settings as GoalsSettings
from goals.main import create_app as goals_app
from interventions.config import Settings as InterventionsSettings
from interventions.main import create_app as interventions_app
from playwright.async_api import async_playwright
from plc_shared import infra
from plc_shared.auth import Role
from plc_shared.components import GATEWAY, WEB, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually, migrated_database, serve_app
from plc_shared.topics import ALL
from reviews.config import Settings as ReviewsSettings
from reviews.main import create_app as reviews_app
from web.config import Settings as WebSettings
from web.main import create_app as web_app
from web.testing import chromium_path

AUTH = AuthSettings(environment="dev")
IV = "/interventions/v1"
NAMES = {"st0": ("Ana", "Lopez"), "st1": ("Ben", "Okafor"), "st2": ("Cleo", "Nguyen")}


@dataclass
class WebStack:
    """The running stack: a client of the gateway, the public base URL, the assessments settings and the web
    app's (a test may shrink its page sizes for a while)."""

    gateway: httpx.AsyncClient
    base: str
    settings: AssessmentsSettings
    web: WebSettings
    interventions: InterventionsSettings  # its database: a test may write rows straight into it

    async def seed_district(self) -> tuple[District, dict, dict]:
        district = await District(self.gateway, self.settings).build()
        school, klass = district.schools[0], district.classes[0]
        named = [
            {
                "sourced_id": f"{klass}-{key}",
                "school_ids": [school],
                "given_name": given,
                "family_name": family,
            }
            for key, (given, family) in NAMES.items()
        ]
        assert (await district.put("/assessments/roster/students", {"records": named})).status_code == 200
        assessment = await district.assessment(name="cfa")
        admin = district.token(Role.DISTRICT_ADMIN)
        tier2 = {
            "name": "Fractions small group",
            "tier": 2,
            "kind": "small group",
            "delivery": "pull-out",
            "dosage_minutes_per_week": 90,
        }
        created: list[dict] = []

        async def pyramid() -> bool:  # the interventions service learns the school from the roster's events
            response = await self.gateway.post(
                f"{IV}/schools/{school}/interventions", json=tier2, headers=admin
            )
            assert response.status_code in (201, 404), response.text
            created.extend([response.json()] if response.status_code == 201 else [])
            return bool(created)

        assert await eventually(pyramid, timeout_s=20, interval_s=0.3)
        return district, assessment, created[0]

    async def post_result(self, district: District, assessment: dict, student: str, points: int) -> None:
        row = {
            "assessment_id": assessment["id"],
            "student_id": student,
            "objective_scores": {"O1": points, "O2": points},
        }
        response = await district.post("/assessments/results/bulk", {"results": [row]})
        assert response.json()["accepted"] == 1, response.text

    async def enroll_staff(self, district: District) -> list[tuple[str, str]]:
        """An administrator and three teachers enrolled in the district's first class: (user id, role)s."""
        school, klass = district.schools[0], district.classes[0]
        staff = [(f"{school}-admin", "administrator")] + [(f"{school}-t{n}", "teacher") for n in range(3)]
        enrollments = [
            {"sourced_id": f"e-{user}", "class_id": klass, "school_id": school, "user_id": user, "role": role}
            for user, role in staff
        ]
        assert (
            await district.put("/assessments/roster/enrollments", {"records": enrollments})
        ).status_code == 200
        return staff

    async def program_school(self, district: District) -> str:
        """A school of the program: staff on the roster, a leadership team keeping the rule (goals), then entered
        by the district admin (reviews learns the staff and the team from the events)."""
        school = district.schools[0]
        staff = await self.enroll_staff(district)
        leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
        admin = district.token(Role.DISTRICT_ADMIN)
        team = {"kind": "leadership", "name": "Leadership team", "member_ids": [user for user, _ in staff]}

        async def team_created() -> bool:
            response = await self.gateway.post(f"/goals/v1/schools/{school}/teams", json=team, headers=leader)
            return response.status_code == 201

        async def entered() -> bool:
            entry = {"regional_center": "Central", "entry_year": 2024}
            response = await self.gateway.put(
                f"/reviews/v1/program/schools/{school}", json=entry, headers=admin
            )
            return response.status_code == 200

        assert await eventually(team_created, timeout_s=20, interval_s=0.3)
        assert await eventually(entered, timeout_s=20, interval_s=0.3)
        return school


@pytest.fixture(scope="session")
async def stack(create_database, kafka_settings):
    kafka_settings = kafka_settings.model_copy(
        update={"topic_prefix": f"{kafka_settings.topic_prefix}{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(kafka_settings, list(ALL))
    common = {"kafka": kafka_settings, "auth": AUTH, "log_level": "WARNING", "relay_poll_interval_s": 0.02}
    assessments = AssessmentsSettings(
        database_url=await migrated_database(create_database, by_name("assessments")), **common
    )
    interventions = InterventionsSettings(
        database_url=await migrated_database(create_database, by_name("interventions")), **common
    )
    goals = GoalsSettings(database_url=await migrated_database(create_database, by_name("goals")), **common)
    reviews = ReviewsSettings(
        database_url=await migrated_database(create_database, by_name("reviews")), **common
    )
    web_port, gateway_port = infra.free_port(), infra.free_port()
    async with (
        serve_app(assessments_app(assessments)) as assessments_url,
        serve_app(interventions_app(interventions)) as interventions_url,
        serve_app(goals_app(goals)) as goals_url,
        serve_app(reviews_app(reviews)) as reviews_url,
    ):
        gateway_settings = GatewaySettings(
            database_url=await migrated_database(create_database, GATEWAY),
            kafka=kafka_settings,
            auth=AUTH,
            log_level="WARNING",
            upstreams={
                "assessments": assessments_url,
                "interventions": interventions_url,
                "goals": goals_url,
                "reviews": reviews_url,
                "web": f"http://127.0.0.1:{web_port}",
            },
        )
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        web_settings = WebSettings(
            auth=AUTH,
            database_url=await migrated_database(create_database, WEB),
            log_level="WARNING",
            gateway_url=gateway_url,
            public_url=gateway_url,
        )
        async with (
            serve_app(gateway_app(gateway_settings), port=gateway_port),
            serve_app(web_app(web_settings), port=web_port),
            httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway,
        ):
            yield WebStack(gateway, gateway_url, assessments, web_settings, interventions)


@pytest.fixture(scope="session")
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()
