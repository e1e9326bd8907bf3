"""Issue 24 point 4: a 422 on goal save or activation led to a page with an id and `body.*` paths and a link to
the start page, the form and what was typed gone. Now the goal form comes back with the message beside "Title"
(what was typed kept), and a refused activation says why beside the button, on the goal's page."""

from __future__ import annotations

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in


async def test_a_refused_goal_comes_back_on_its_form_and_a_refused_activation_says_why(stack, browser):
    district = await District(stack.gateway, stack.settings).build()
    assessment = await district.assessment(name="goal")
    school = district.schools[0]
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    probe = {"title": "t", "measure": {"kind": "proficient", "assessment_id": assessment["id"]},
             "population": {"kind": "school"}, "baseline": {"value": 40}, "target": 80,
             "start": "2026-09-01", "deadline": "2027-05-31"}  # fmt: skip

    async def goals_knows_the_assessment() -> bool:
        found = await stack.gateway.post(
            f"/goals/v1/schools/{school}/goals/smart", json=probe, headers=leader
        )
        return found.status_code == 200 and found.json()["passed"]

    assert await eventually(goals_knows_the_assessment, timeout_s=20, interval_s=0.3)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "school_leader", district.id, school, name="Mr Chen")
    await page.goto(f"{stack.base}/app/goals/new?school_id={school}")
    await page.locator("#goal-form").evaluate("f => { f.noValidate = true; }")
    await page.get_by_label("Title").fill("   ")
    await page.get_by_label("Assessment").select_option(assessment["id"])
    await page.get_by_label("Target (%)").fill("80")
    await page.get_by_label("Start", exact=True).fill("2026-09-01")
    await page.get_by_label("Deadline").fill("2027-05-31")
    for select in (
        "#g-pre",
        "#g-post",
    ):  # the growth tests, shown for a growth measure only: typed all the same
        await page.locator(select).evaluate("(s, v) => { s.value = v; }", assessment["id"])
    await page.get_by_role("button", name="Save as draft").click()
    await expect(page.get_by_label("Title")).to_have_accessible_description("cannot be blank")
    await expect(page.get_by_role("alert")).to_contain_text("Title: cannot be blank")
    await expect(page.get_by_role("alert")).not_to_contain_text("body")
    await expect(page.get_by_label("Target (%)")).to_have_value("80")
    await expect(page.get_by_label("Assessment")).to_have_value(assessment["id"])
    for select in ("#g-pre", "#g-post"):
        await expect(page.locator(select)).to_have_value(assessment["id"])
    await check_page(page, "goal-new-refused")

    # Saved without a baseline (a draft may fail a letter); activating it is refused, in words, by the button.
    await page.get_by_label("Title").fill("Fractions: 80 % proficient")
    await page.get_by_role("button", name="Save as draft").click()
    await expect(page.get_by_role("heading", name="Fractions: 80 % proficient")).to_be_visible()
    await page.get_by_role("button", name="Activate the goal").click()
    await expect(page.locator("#activate-problem")).to_contain_text("Not activated.")
    await expect(page.get_by_role("heading", name="Fractions: 80 % proficient")).to_be_visible()
    await expect(page.locator(".lead")).to_contain_text("draft")
    await check_page(page, "goal-activate-refused")
    await context.close()
