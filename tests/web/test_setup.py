"""A district data lead takes a new district from an empty stack to its first data meeting in the browser: an SIS
API key (its secret shown once), the district's OneRoster export, a CASE framework (the public OpenSALT sample
vendored in services/assessments/tests/data/case, MIT), an essential outcome, a CFA built with items aligned
to standards and cuts, the school's pyramid, results posted by the SIS with that key, the data meeting and the
flags, a leadership team and the school entered into the review program. Every refused form is shown again
with the API's message and what was typed."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date
from pathlib import Path

from playwright.async_api import expect
from plc_shared.auth import Role, mint_dev_token
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "services/assessments/tests/data/case/what-standards-could-be.json"
RATIO_1, RATIO_3 = "CCSS.Math.Content.6.RP.A.1", "CCSS.Math.Content.6.RP.A.3"


def _csv(header: str, rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header.split(","), *rows])
    return out.getvalue()


def _roster(d: str) -> bytes:
    """A OneRoster 1.2 CSV export: one school, a grade 6 math class, its principal, three teachers, six students."""
    school, klass = f"{d}-jfk", f"{d}-math6"
    staff = [(f"{d}-principal", "Paula", "Ng", "administrator")] + [
        (f"{d}-t{n}", given, family, "teacher") for n, (given, family) in enumerate([("Ray", "Diaz"), ("Ivy", "Chen"), ("Omar", "Fall")])
    ]  # fmt: skip
    students = [
        (f"{d}-s{n}", given, "Park") for n, given in enumerate(["Ava", "Ben", "Cai", "Dee", "Eli", "Fay"])
    ]
    files = {
        "orgs": _csv("sourcedId,status,dateLastModified,name,type,parentSourcedId",
                     [[d, "active", "", "New District", "district", ""], [school, "active", "", "Kennedy Middle", "school", d]]),
        "academicSessions": _csv("sourcedId,status,dateLastModified,title,type,startDate,endDate,schoolYear",
                                 [[f"{d}-y", "active", "", "2026-27", "schoolYear", "2026-08-20", "2027-06-10", "2027"]]),
        "courses": _csv("sourcedId,status,dateLastModified,title,courseCode,grades,orgSourcedId",
                        [[f"{d}-m6", "active", "", "Math 6", "M6", "06", d]]),
        "classes": _csv("sourcedId,status,dateLastModified,title,grades,courseSourcedId,schoolSourcedId,termSourcedIds",
                        [[klass, "active", "", "Math 6 (Diaz)", "06", f"{d}-m6", school, f"{d}-y"]]),
        "users": _csv("sourcedId,status,dateLastModified,givenName,familyName,grades",
                      [[u, "active", "", g, f, ""] for u, g, f, _ in staff] + [[u, "active", "", g, f, "06"] for u, g, f in students]),
        "enrollments": _csv("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role",
                            [[f"e-{u}", "active", "", klass, school, u, role] for u, _, _, role in staff]
                            + [[f"e-{u}", "active", "", klass, school, u, "student"] for u, _, _ in students]),
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entries = [["manifest.version", "1.0"], ["oneroster.version", "1.2"]] + [
            [f"file.{n}", "bulk"] for n in files
        ]
        archive.writestr("manifest.csv", _csv("propertyName,value", entries))
        for name, content in files.items():
            archive.writestr(f"{name}.csv", content)
    return buffer.getvalue()


async def test_a_data_lead_takes_a_new_district_from_nothing_to_its_first_data_meeting(stack, browser):
    d, base = f"new-{uuid.uuid4().hex[:6]}", stack.base
    school = f"{d}-jfk"
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "district_admin", d, name="Dana Lead")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    await check_page(page, "setup")

    # An SIS API key: its secret is on the page once.
    await page.get_by_role("link", name="SIS API keys").click()
    await page.get_by_label("Name").fill("Campus SIS")
    await page.get_by_role("button", name="Create the key").click()
    key = (await page.locator("#key-secret").inner_text()).strip()
    assert len(key) > 20
    await expect(page.get_by_role("row", name="Campus SIS")).to_contain_text("Post assessment results")
    await page.get_by_label("Name").fill("Old export")
    await page.get_by_role("button", name="Create the key").click()
    old_key = (await page.locator("#key-secret").inner_text()).strip()
    await page.get_by_role("button", name="Revoke Old export").click()
    await expect(page.get_by_role("row", name="Old export")).to_contain_text("Revoked")
    await expect(page.locator("#key-secret")).to_have_count(0)  # shown once: not on the next page
    refused = await stack.gateway.get("/assessments/roster/schools", headers={"X-API-Key": old_key})
    assert refused.status_code == 401
    await check_page(page, "setup-keys")

    # The district's OneRoster export.
    await page.goto(f"{base}/app/import")
    await page.get_by_label("Package (.zip)").set_input_files(
        files=[{"name": "oneroster.zip", "mimeType": "application/zip", "buffer": _roster(d)}]
    )
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator("#report")).to_contain_text("25 rows accepted, 0 refused")

    # Standards: a CASE framework, a refused addition kept as typed, an essential outcome.
    await page.goto(f"{base}/app/setup")
    await page.get_by_role("link", name="Standards and essential outcomes").click()
    await page.get_by_label("Framework file (.json)").set_input_files(str(CASE))
    await page.get_by_role("button", name="Import the framework").click()
    await expect(page.locator("#case-report")).to_contain_text("16 new")
    await expect(page.get_by_role("row", name=RATIO_1)).to_contain_text("ratio language")
    await page.get_by_label("Code").fill(RATIO_1)
    await page.get_by_label("Statement").fill("My own words for it")
    await page.get_by_role("button", name="Add the standard").click()
    await expect(page.get_by_role("alert")).to_contain_text(RATIO_1)
    await expect(page.get_by_label("Statement")).to_have_value("My own words for it")
    await page.get_by_label("Standard", exact=True).select_option(label=RATIO_1)
    await page.get_by_label("Essential for grade").fill("06")
    await page.get_by_role("button", name="Mark essential").click()
    await expect(page.get_by_role("row", name=RATIO_1)).to_contain_text("grade 06")
    await check_page(page, "setup-standards")

    # A CFA: items aligned to standards, the cuts; a mastery cut under the proficiency cut is refused, kept.
    await page.goto(f"{base}/app/setup/assessments")
    await page.get_by_label("Title").fill("Ratios CFA 1")
    await page.get_by_label("Id", exact=False).first.fill(f"{d}-cfa1")
    await page.get_by_label("Grade").fill("06")
    await page.get_by_label("Proficient at").fill("80")
    await page.get_by_label("Mastery at").fill("60")
    for n, (code, points, standard) in enumerate(
        [("Q1", "5", RATIO_1), ("Q2", "5", RATIO_1), ("Q3", "10", RATIO_3)]
    ):
        await page.get_by_label(f"Item {n + 1} code").fill(code)
        await page.get_by_label(f"Item {n + 1} points").fill(points)
        await page.get_by_label(f"Item {n + 1} standard").select_option(label=standard)
    await page.get_by_label("Publish it now").check()
    await page.get_by_role("button", name="Save the assessment").click()
    await expect(page.get_by_role("alert")).to_contain_text("mastery_cut")
    await expect(page.get_by_label("Title")).to_have_value("Ratios CFA 1")
    await expect(page.get_by_label("Item 3 standard")).to_have_value(
        f"{(await _standard_id(stack, d, RATIO_3))}"
    )
    await page.get_by_label("Mastery at").fill("90")
    await page.get_by_role("button", name="Save the assessment").click()
    await expect(page.get_by_role("row", name="Ratios CFA 1")).to_contain_text("published")
    await check_page(page, "setup-assessments")

    # The school's pyramid (the interventions service learns the school from the roster's events).
    admin = {
        "Authorization": f"Bearer {mint_dev_token(stack.settings.auth, role=Role.DISTRICT_ADMIN, district_id=d)}"
    }

    async def school_known() -> bool:
        answer = await stack.gateway.get(f"/interventions/v1/schools/{school}/interventions", headers=admin)
        return answer.status_code == 200

    assert await eventually(school_known, timeout_s=20, interval_s=0.3)
    await page.goto(f"{base}/app/setup/pyramid?school_id={school}")
    await page.get_by_label("Name").fill("Ratio tables small group")
    await page.get_by_label("Tier", exact=True).select_option("2")
    await page.get_by_label("Kind").fill("small group")
    await page.get_by_label("Delivery").fill("pull-out")
    await page.get_by_label("Minutes a week").fill("lots")
    await page.get_by_role("button", name="Add to the pyramid").click()
    await expect(page.locator("#i-dosage-error")).to_be_visible()
    await expect(page.get_by_label("Name")).to_have_value("Ratio tables small group")
    await page.get_by_label("Minutes a week").fill("90")
    await page.get_by_role("button", name="Add to the pyramid").click()
    await expect(page.get_by_role("region", name="Tier 2 — supplemental")).to_contain_text(
        "Ratio tables small group"
    )
    await check_page(page, "setup-pyramid")

    # The SIS posts results with its key (the one step outside the browser).
    rows = [{"assessment_id": f"{d}-cfa1", "student_id": f"{d}-s{n}", "item_scores": {"Q1": p, "Q2": p, "Q3": 2 * p},
             "assessed_on": "2026-11-20"} for n, p in enumerate([1, 2, 5, 5, 4, 3])]  # fmt: skip
    posted = await stack.gateway.post(
        "/assessments/results/bulk", json={"results": rows}, headers={"X-API-Key": key}
    )
    assert posted.status_code == 200 and posted.json()["accepted"] == 6, posted.text

    # The data meeting, and the flags the interventions service raised.
    await page.goto(f"{base}/app/")
    await page.get_by_role("link", name="Ratios CFA 1", exact=True).click()
    await expect(page.locator("main")).to_contain_text(RATIO_1)
    # Its pictures: the spread of the scores and each student on each standard, drawn in the page.
    for heading in ("#dist-h", "#grid-h"):
        section = page.locator("section", has=page.locator(heading))
        await expect(section.locator("figure.chart svg").first).to_be_visible()

    async def flagged() -> bool:
        answer = await stack.gateway.get(
            "/interventions/v1/flags", params={"school_id": school}, headers=admin
        )
        return len(answer.json()) > 0

    assert await eventually(flagged, timeout_s=20, interval_s=0.3)
    await page.goto(f"{base}/app/flags?school_id={school}")
    await expect(page.locator("main")).to_contain_text("Ava Park")
    # A flag assigned the school's tier 2 intervention, and monitored: a progress point on it.
    row = page.locator("#open-flags tr", has=page.get_by_role("rowheader", name="Ava Park")).first
    await row.locator("summary").click()
    pyramid = await stack.gateway.get(f"/interventions/v1/schools/{school}/interventions", headers=admin)
    await row.get_by_label("Intervention").select_option(pyramid.json()[0]["id"])
    await row.get_by_role("button", name="Assign intervention").click()
    await expect(page.get_by_role("status")).to_contain_text("The intervention is assigned")
    await page.get_by_role("link", name="See its progress").click()
    progress = page.locator("form", has=page.get_by_role("button", name="Record progress"))
    await progress.get_by_label("Date measured").fill(date.today().isoformat())
    await progress.get_by_label("Score (%)").fill("45")
    await progress.get_by_role("button", name="Record progress").click()
    await expect(page.get_by_role("status")).to_contain_text("The progress point is recorded")

    # The review program: the school needs its leadership team (goals learns the staff from the roster).
    await page.goto(f"{base}/app/setup/program")
    await page.get_by_label("Regional center").fill("Central")
    await page.get_by_label("Entry year").fill("2026")
    await page.get_by_role("button", name="Enter the school").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.get_by_label("Regional center")).to_have_value("Central")
    await check_page(page, "setup-program-refused")
    await page.goto(f"{base}/app/teams/new?school_id={school}")
    await page.get_by_label("Kind").select_option("leadership")
    await page.get_by_label("Name").fill("Leadership team")
    staff = ", ".join([f"{d}-principal", f"{d}-t0", f"{d}-t1", f"{d}-t2"])
    await page.get_by_label("Other staff of the school").fill(staff)
    await page.get_by_role("button", name="Form the team").click()
    await expect(page.get_by_role("heading", name="Leadership team")).to_be_visible()

    async def entered() -> bool:  # the reviews service learns the team from the goals service's events
        await page.goto(f"{base}/app/setup/program")
        if await page.get_by_label("Regional center").count() == 0:
            return False  # the page answered with a problem this time (a service busy): try again
        await page.get_by_label("Regional center").fill("Central")
        await page.get_by_label("Entry year").fill("2026")
        await page.get_by_role("button", name="Enter the school").click()
        return await page.get_by_role("row", name="Kennedy Middle").count() == 1

    assert await eventually(entered, timeout_s=20, interval_s=0.5)
    await expect(page.get_by_role("row", name="Kennedy Middle")).to_contain_text("4 members")
    await check_page(page, "setup-program")
    await context.close()

    await _team_goal_with_a_pdsa_cycle(stack, browser, d, school, key)
    await _finalized_site_review(stack, browser, d, school)
    # Readiness after the finalized site review: where the school stands toward recognition, and what it needs.
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "district_admin", d, name="Dana Lead")
    await page.goto(f"{base}/app/reviews/readiness")
    standing = page.locator(f'#readiness li[data-school="{school}"]')
    await expect(standing).to_contain_text("Next: Exemplary")
    await expect(standing.get_by_role("link", name="The latest finalized site review")).to_be_visible()
    await check_page(page, "setup-readiness")
    await context.close()


async def _team_goal_with_a_pdsa_cycle(stack, browser, d: str, school: str, key: str) -> None:
    """The principal forms the grade 6 team, writes its goal on the CFA, and runs a PDSA cycle; the SIS posts the
    retakes after Do started, so Study has results."""
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "school_leader", d, school, name="Paula Ng")
    await page.goto(f"{stack.base}/app/teams/new?school_id={school}")
    await page.get_by_label("Name").fill("Math 6 team")
    await page.get_by_label("Ray Diaz").check()
    await page.get_by_label("Ivy Chen").check()
    await page.get_by_label("Math 6 (Diaz)").check()
    await page.locator(f'input[name="standard_ids"][value="{await _standard_id(stack, d, RATIO_1)}"]').check()
    await page.get_by_role("button", name="Form the team").click()
    await expect(page.get_by_role("heading", name="Math 6 team")).to_be_visible()
    team_url = page.url
    today = date.today()
    year = today.year if today.month >= 8 else today.year - 1  # the school year now
    school_goal = await _goal(page, "Kennedy: 70 % proficient on Ratios CFA 1", f"{d}-cfa1", year, "70")
    await page.goto(team_url)
    await page.get_by_role("link", name="Write a team goal").click()
    await page.get_by_label("School goal it serves").select_option(school_goal)
    goal_id = await _goal(
        page, "Math 6 team: 80 % proficient on Ratios CFA 1", f"{d}-cfa1", year, "80", new=False
    )
    goal_url = page.url
    await page.get_by_label("Question").fill("Do ratio-table warm-ups raise proficiency?")
    await page.get_by_label("Change idea").fill("Five minutes of ratio tables every lesson")
    await page.get_by_label("Task 1: who").fill("Math 6 team")
    await page.get_by_label("Task 1: what").fill("Run the warm-ups")
    await page.get_by_role("button", name="Start the cycle").click()
    await page.get_by_role("button", name="Record Do").click()  # the service's gate: a prediction first
    await page.get_by_label("Predicted value of the measure (%)").fill("60")
    await page.get_by_label("By", exact=True).fill(date(year + 1, 1, 31).isoformat())
    await page.get_by_role("button", name="Save the plan").click()
    await page.get_by_label("Observations").fill("Both classes ran them.")
    await page.get_by_role("button", name="Record Do").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Do")

    retakes = [{"assessment_id": f"{d}-cfa1", "student_id": f"{d}-s{n}", "attempt": 2,
                "item_scores": {"Q1": 4, "Q2": 4, "Q3": 8}} for n in range(3)]  # fmt: skip
    posted = await stack.gateway.post(
        "/assessments/results/bulk", json={"results": retakes}, headers={"X-API-Key": key}
    )
    assert posted.json()["accepted"] == 3, posted.text
    leader = {
        "Authorization": f"Bearer {mint_dev_token(stack.settings.auth, role=Role.SCHOOL_LEADER, district_id=d, school_ids=[school])}"
    }

    async def progress_after_do() -> bool:
        series = (await stack.gateway.get(f"/goals/v1/goals/{goal_id}/progress", headers=leader)).json()
        return any(p["value"] is not None and p["on"] >= today.isoformat() for p in series["points"])

    assert await eventually(progress_after_do, timeout_s=20, interval_s=0.3)
    await page.goto(goal_url)
    await page.get_by_label("Notes").fill("The retakes after the warm-ups.")
    await page.get_by_role("button", name="Study the results").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Study")
    await page.get_by_label("Adopt").check()
    await page.get_by_label("Rationale").fill("Keep the warm-ups all year.")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Closed")
    await context.close()


async def _goal(page, title: str, assessment: str, year: int, target: str, new: bool = True) -> str:
    """Write a goal on the goal form (a school goal from the Goals page, or the form already open), activate it."""
    if new:
        await page.get_by_role("link", name="Goals").first.click()
        await page.get_by_role("link", name="Write a new goal").click()
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Measure").select_option("proficient")
    await page.get_by_label("Assessment", exact=False).first.select_option(assessment)
    await page.get_by_label("Baseline (%)").fill("40")
    await page.get_by_label("Target (%)").fill(target)
    await page.get_by_label("Start", exact=True).fill(date(year, 9, 1).isoformat())
    await page.get_by_label("Deadline").fill(date(year + 1, 5, 31).isoformat())
    await page.get_by_role("button", name="Save as draft").click()
    await page.get_by_role("button", name="Activate the goal").click()
    await expect(page.locator(".lead")).to_contain_text("active")
    return page.url.rsplit("/", 1)[-1]


async def _finalized_site_review(stack, browser, d: str, school: str) -> None:
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "reviewer", d, school, name="Dr Reyes")
    await page.get_by_role("link", name="Reviews").first.click()
    await page.get_by_label("Kind").select_option("site")
    await page.get_by_role("button", name="Start a review").click()
    indicators = page.locator("fieldset.indicator")
    for n in range(await indicators.count()):
        await indicators.nth(n).locator('input[type="radio"][value="2"]').check()
        await indicators.nth(n).get_by_label("Evidence seen").fill("PLC meeting minutes")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await page.get_by_role("button", name="Submit the review").click()
    await page.get_by_role("button", name="Finalize the review").click()
    await expect(page.locator("#review-status")).to_contain_text("finalized")
    await context.close()


async def _standard_id(stack, district: str, code: str) -> str:
    token = mint_dev_token(stack.settings.auth, role=Role.DISTRICT_ADMIN, district_id=district)
    answer = await stack.gateway.get("/assessments/standards", headers={"Authorization": f"Bearer {token}"})
    return next(s["id"] for s in answer.json() if s["code"] == code)
