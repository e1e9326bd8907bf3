"""The web app in a real headless Chromium, end to end: browser → gateway → web → gateway → assessments and
interventions, real PostgreSQL, the real broker.

A teacher signs in, opens the data meeting of a CFA and sees the students below the cut; the SIS posts a result
through the gateway and the new flag appears on the open flags page without a reload within 5 s; the teacher
assigns an intervention from the school's pyramid. Another district's user sees none of it. Every page passes
axe-core (no serious or critical violation) at laptop and tablet widths; screenshots go to .plc/screenshots/.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

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
from playwright.async_api import async_playwright, expect
from plc_shared import infra
from plc_shared.auth import Role
from plc_shared.components import GATEWAY, by_name
from plc_shared.kafka import ensure_topics
from plc_shared.settings import AuthSettings
from plc_shared.testing import eventually, migrated_database, serve_app
from plc_shared.topics import ALL
from reviews.config import Settings as ReviewsSettings
from reviews.main import create_app as reviews_app
from web.config import Settings as WebSettings
from web.main import create_app as web_app
from web.testing import VIEWPORTS, axe_violations, chromium_path, screenshot

AUTH = AuthSettings(environment="test")
IV = "/interventions/v1"
NAMES = {"st0": ("Ana", "Lopez"), "st1": ("Ben", "Okafor"), "st2": ("Cleo", "Nguyen")}


@pytest.fixture(scope="module")
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
            auth=AUTH, log_level="WARNING", gateway_url=gateway_url, public_url=gateway_url
        )
        async with (
            serve_app(gateway_app(gateway_settings), port=gateway_port),
            serve_app(web_app(web_settings), port=web_port),
            httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway,
        ):
            yield gateway, gateway_url, assessments


@pytest.fixture(scope="module")
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


async def _district(gateway: httpx.AsyncClient, settings) -> tuple[District, dict, dict]:
    district = await District(gateway, settings).build()
    school, klass = district.schools[0], district.classes[0]
    named = [
        {"sourced_id": f"{klass}-{key}", "school_ids": [school], "given_name": given, "family_name": family}
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
        response = await gateway.post(f"{IV}/schools/{school}/interventions", json=tier2, headers=admin)
        assert response.status_code in (201, 404), response.text
        created.extend([response.json()] if response.status_code == 201 else [])
        return bool(created)

    assert await eventually(pyramid, timeout_s=20, interval_s=0.3)
    return district, assessment, created[0]


async def _post_result(district: District, assessment: dict, student: str, points: int) -> None:
    row = {
        "assessment_id": assessment["id"],
        "student_id": student,
        "objective_scores": {"O1": points, "O2": points},
    }
    response = await district.post("/assessments/results/bulk", {"results": [row]})
    assert response.json()["accepted"] == 1, response.text


async def _sign_in(
    page, base: str, role: str, district: str, school: str = "", classes: str = "", name: str = ""
):
    await page.goto(f"{base}/app/signin")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Role").select_option(role)
    await page.get_by_label("District id").fill(district)
    await page.get_by_label("School ids").fill(school)
    await page.get_by_label("Class ids").fill(classes)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/app/")


async def _check_page(page, name: str) -> None:
    """No serious or critical axe violation at laptop and tablet widths; a screenshot at each."""
    for width, viewport in VIEWPORTS.items():
        await page.set_viewport_size(viewport)
        await screenshot(page, f"{name}-{width}")
        assert await axe_violations(page) == [], f"{name} at {width} width"
    await page.set_viewport_size(VIEWPORTS["laptop"])


async def test_a_teacher_runs_a_data_meeting_sees_a_flag_arrive_live_and_assigns_an_intervention(
    stack, browser
):
    gateway, base, settings = stack
    district, assessment, intervention = await _district(gateway, settings)
    school, klass = district.schools[0], district.classes[0]
    await _post_result(district, assessment, f"{klass}-st0", 2)  # 20 %: below the cut on both standards
    await _post_result(district, assessment, f"{klass}-st1", 10)  # 100 %: enrichment

    async def flagged() -> bool:
        found = await gateway.get(
            f"{IV}/flags", params={"school_id": school}, headers=district.token(Role.DISTRICT_ADMIN)
        )
        return any(f["student_id"] == f"{klass}-st0" and f["kind"] == "support" for f in found.json())

    assert await eventually(flagged, timeout_s=20)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await page.goto(f"{base}/app/signin")
    await _check_page(page, "signin")
    await _sign_in(page, base, "teacher", district.id, school, klass, name="Ms Rivera")
    await _check_page(page, "home")
    await page.get_by_role("link", name="Data meetings").first.click()
    await _check_page(page, "meetings")

    # The data meeting: students below the cut per standard, by name, with their score; enrichment.
    await page.get_by_role("link", name="Fractions CFA").first.click()
    await expect(page.get_by_role("heading", name="Data meeting: Fractions CFA")).to_be_visible()
    below = page.locator("table.below")
    await expect(below.first.get_by_role("rowheader", name="Ana Lopez")).to_be_visible()
    await expect(page.locator("#enrichment")).to_contain_text("Ben Okafor")
    await expect(below.first).not_to_contain_text("Ben Okafor")
    await _check_page(page, "data-meeting")

    # Flags, live: the SIS posts a result and the new flag appears without a reload within 5 s.
    await page.get_by_role("link", name="Flags").first.click()
    open_flags = page.locator("#open-flags")
    await expect(open_flags.get_by_role("rowheader", name="Ana Lopez").first).to_be_visible()
    await expect(open_flags).not_to_contain_text("Cleo Nguyen")
    await _check_page(page, "flags")
    await page.evaluate("window.__sameDocument = true")
    await _post_result(district, assessment, f"{klass}-st2", 1)
    await expect(open_flags.get_by_role("rowheader", name="Cleo Nguyen").first).to_be_visible(timeout=5_000)
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    await screenshot(page, "flags-live")

    # Assign the school's tier 2 intervention to Cleo from the flag.
    row = open_flags.locator("tr", has=page.get_by_role("rowheader", name="Cleo Nguyen")).first
    await row.locator("summary").click()
    await row.get_by_label("Intervention").select_option(intervention["id"])
    await _check_page(page, "flags-assign-open")
    await row.get_by_role("button", name="Assign intervention").click()
    await expect(page.get_by_role("status")).to_contain_text("The intervention is assigned")
    await page.get_by_role("link", name="See its progress").click()
    await expect(page.get_by_role("heading", name="Intervention progress")).to_be_visible()
    await _check_page(page, "assignment")

    # Another district's user sees none of it: not the flags, not the meeting, not the assignment.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await _sign_in(stranger, base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    await stranger.goto(f"{base}/app/flags?school_id={school}")
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await expect(stranger.locator("body")).not_to_contain_text("Cleo Nguyen")
    answer = await stranger.goto(f"{base}/app/meetings/{assessment['id']}")
    assert answer is not None and answer.status == 404
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await _check_page(stranger, "other-district-404")
    await other.close()
    await context.close()


async def test_a_leader_writes_a_goal_and_sees_a_smart_letter_fail_then_pass(stack, browser):
    gateway, base, settings = stack
    district = await District(gateway, settings).build()
    assessment = await district.assessment(name="goal")
    school = district.schools[0]
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    draft = {
        "title": "t",
        "measure": {"kind": "proficient", "assessment_id": assessment["id"]},
        "population": {"kind": "school"},
        "baseline": {"value": 40},
        "target": 80,
        "start": "2026-09-01",
        "deadline": "2027-05-31",
    }

    async def goals_knows_the_school_and_assessment() -> bool:
        found = await gateway.post(f"/goals/v1/schools/{school}/goals/smart", json=draft, headers=leader)
        return found.status_code == 200 and found.json()["passed"]

    assert await eventually(goals_knows_the_school_and_assessment, timeout_s=20, interval_s=0.3)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await _sign_in(page, base, "school_leader", district.id, school, name="Mr Chen")
    await page.get_by_role("link", name="Goals").first.click()
    await expect(page.get_by_role("heading", name="Goals")).to_be_visible()
    await page.get_by_role("link", name="Write a new goal").click()
    await page.get_by_label("Title").fill("Fractions: 80 % proficient")
    await page.get_by_label("Assessment").select_option(assessment["id"])
    await page.get_by_label("Target (%)").fill("80")
    await page.get_by_label("Start", exact=True).fill("2026-09-01")
    await page.get_by_label("Deadline").fill("2027-05-31")
    # No baseline and no results before the start: Attainable cannot be judged, the letter fails.
    attainable = page.locator('#smart [data-letter="A"]')
    await expect(attainable).to_have_attribute("data-passed", "false")
    await expect(attainable).to_contain_text("baseline")
    await _check_page(page, "goal-new-failing")
    await page.get_by_label("Baseline (%)").fill("40")
    await expect(attainable).to_have_attribute("data-passed", "true")
    await expect(page.locator("#smart")).to_contain_text("Every SMART letter passes")
    await _check_page(page, "goal-new-passing")
    await page.get_by_role("button", name="Save as draft").click()
    await expect(page.get_by_role("heading", name="Fractions: 80 % proficient")).to_be_visible()
    await page.get_by_role("button", name="Activate the goal").click()
    await expect(page.locator(".lead")).to_contain_text("active")
    await _check_page(page, "goal")
    await page.get_by_role("link", name="All goals of the school").click()
    await expect(page.locator("#goals")).to_contain_text("Fractions: 80 % proficient")
    await _check_page(page, "goals")
    await context.close()


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def _oneroster_package(district: str) -> bytes:
    """A school, three users without a student enrollment (skipped as staff) and two results for them (refused:
    unknown students): the report names each refused row with its file, row number and reason."""
    files = {
        "orgs": _csv(
            ["sourcedId", "status", "dateLastModified", "name", "type", "parentSourcedId"],
            [
                [district, "active", "", "District", "district", ""],
                [f"{district}-x1", "active", "", "Lincoln Elementary", "school", district],
            ],
        ),
        "users": _csv(
            ["sourcedId", "status", "dateLastModified", "givenName", "familyName", "grades"],
            [[f"{district}-u{n}", "active", "", "Stu", f"Dent {n}", "04"] for n in range(3)],
        ),
        "lineItems": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "classSourcedId",
                "resultValueMin",
                "resultValueMax",
            ],
            [[f"{district}-li1", "active", "", "Fractions CFA", "", "0", "20"]],
        ),
        "results": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "lineItemSourcedId",
                "studentSourcedId",
                "scoreStatus",
                "score",
                "scoreDate",
            ],
            [
                [
                    f"{district}-r0",
                    "active",
                    "",
                    f"{district}-li1",
                    f"{district}-u0",
                    "fully graded",
                    "12",
                    "2026-11-20",
                ],
                [
                    f"{district}-r1",
                    "active",
                    "",
                    f"{district}-li1",
                    f"{district}-u1",
                    "fully graded",
                    "abc",
                    "2026-11-20",
                ],
            ],
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = [
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.2"],
            *[[f"file.{n}", "bulk"] for n in files],
        ]
        archive.writestr("manifest.csv", _csv(["propertyName", "value"], manifest))
        for name, content in files.items():
            archive.writestr(f"{name}.csv", content)
    return buffer.getvalue()


async def test_a_district_admin_imports_a_oneroster_package_and_reads_the_row_level_report(
    stack, browser, tmp_path
):
    gateway, base, _ = stack
    district = f"d-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "oneroster.zip"
    path.write_bytes(_oneroster_package(district))
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await _sign_in(page, base, "district_admin", district, name="Ms Admin")
    await page.get_by_role("link", name="Import").click()
    await expect(page.get_by_role("heading", name="Import a OneRoster package")).to_be_visible()
    await _check_page(page, "import")
    await page.get_by_label("Package (.zip)").set_input_files(str(path))
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_role("heading", name="Report of oneroster.zip")).to_be_visible(timeout=15_000)
    await expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    await expect(page.locator("#import-files")).to_contain_text("users")
    problems = page.locator("#import-problems")
    first = problems.locator("tbody tr").first.locator("td")
    await expect(first.nth(0)).to_have_text("results.csv")
    await expect(first.nth(1)).to_have_text("2")  # the CSV record number (the header is row 1)
    await expect(first.nth(3)).to_contain_text("unknown student")
    await expect(page.locator("#import-skipped")).to_contain_text("users.csv")
    await _check_page(page, "import-report")
    # The roster arrived: the school is there, by name, through the gateway.
    schools = await gateway.get(
        "/assessments/roster/schools",
        headers=District(gateway, stack[2], id=district).token(Role.DISTRICT_ADMIN),
    )
    assert "Lincoln Elementary" in {s["name"] for s in schools.json()}
    await context.close()


async def _program_school(gateway: httpx.AsyncClient, district: District) -> str:
    """A school of the program: staff on the roster, a leadership team keeping the rule (goals), then entered
    by the district admin (reviews learns the staff and the team from the events)."""
    school, klass = district.schools[0], district.classes[0]
    staff = [(f"{school}-admin", "administrator")] + [(f"{school}-t{n}", "teacher") for n in range(3)]
    enrollments = [
        {"sourced_id": f"e-{user}", "class_id": klass, "school_id": school, "user_id": user, "role": role}
        for user, role in staff
    ]
    assert (
        await district.put("/assessments/roster/enrollments", {"records": enrollments})
    ).status_code == 200
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    admin = district.token(Role.DISTRICT_ADMIN)
    team = {"kind": "leadership", "name": "Leadership team", "member_ids": [user for user, _ in staff]}

    async def team_created() -> bool:
        response = await gateway.post(f"/goals/v1/schools/{school}/teams", json=team, headers=leader)
        return response.status_code == 201

    async def entered() -> bool:
        entry = {"regional_center": "Central", "entry_year": 2024}
        response = await gateway.put(f"/reviews/v1/program/schools/{school}", json=entry, headers=admin)
        return response.status_code == 200

    assert await eventually(team_created, timeout_s=20, interval_s=0.3)
    assert await eventually(entered, timeout_s=20, interval_s=0.3)
    return school


async def test_a_reviewer_rates_every_indicator_with_evidence_and_finalizes_a_review(stack, browser):
    gateway, base, settings = stack
    district = await District(gateway, settings).build()
    school = await _program_school(gateway, district)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await _sign_in(page, base, "reviewer", district.id, school, name="Dr Reyes")
    await page.get_by_role("link", name="Reviews").first.click()
    await _check_page(page, "reviews")
    await page.get_by_label("Kind").select_option("site")
    await page.get_by_role("button", name="Start a review").click()
    await expect(page.locator("#review-status")).to_contain_text("draft")
    indicators = page.locator("fieldset.indicator")
    count = await indicators.count()
    assert count >= 10
    for n in range(count):
        fieldset = indicators.nth(n)
        await fieldset.locator('input[type="radio"][value="2"]').check()
        await fieldset.get_by_label("Evidence seen").fill("PLC meeting minutes")
    await _check_page(page, "review-draft")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await page.get_by_role("button", name="Submit the review").click()
    await expect(page.locator("#review-status")).to_contain_text("submitted")
    await page.get_by_role("button", name="Finalize the review").click()
    await expect(page.locator("#review-status")).to_contain_text("finalized")
    await expect(page.locator("#review-status")).to_contain_text("100 %")
    await _check_page(page, "review-finalized")
    await page.get_by_role("link", name="All reviews of the school").click()
    await expect(page.locator("#reviews")).to_contain_text("finalized")
    await context.close()
