"""A school leader writes a goal and sees a SMART letter fail, then pass, as they type."""

from __future__ import annotations

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def test_a_leader_writes_a_goal_and_sees_a_smart_letter_fail_then_pass(stack, browser):
    gateway, base, settings = stack.gateway, stack.base, stack.settings
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
    await sign_in(page, base, "school_leader", district.id, school, name="Mr Chen")
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
    await check_page(page, "goal-new-failing")
    await page.get_by_label("Baseline (%)").fill("40")
    await expect(attainable).to_have_attribute("data-passed", "true")
    await expect(page.locator("#smart")).to_contain_text("Every SMART letter passes")
    await check_page(page, "goal-new-passing")
    await page.get_by_role("button", name="Save as draft").click()
    await expect(page.get_by_role("heading", name="Fractions: 80 % proficient")).to_be_visible()
    await page.get_by_role("button", name="Activate the goal").click()
    await expect(page.locator(".lead")).to_contain_text("active")
    await check_page(page, "goal")
    await page.get_by_role("link", name="All goals of the school").click()
    await expect(page.locator("#goals")).to_contain_text("Fractions: 80 % proficient")
    await check_page(page, "goals")
    await context.close()
