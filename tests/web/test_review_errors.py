"""Issue 24 point 4: a 422 on review submit led to an error page with `body.ratings.<indicator>.evidence` and a
link to the start page. Now the rubric form comes back with the message beside that indicator's "Evidence seen"
field, what was typed kept, and the review still a draft."""

from __future__ import annotations

import re

from assessments.testing import District
from playwright.async_api import expect
from web.testing import VIEWPORTS, check_page, sign_in


async def test_submit_without_required_evidence_shows_it_beside_the_indicator(stack, browser):
    district = await District(stack.gateway, stack.settings).build()
    school = await stack.program_school(district)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "reviewer", district.id, school, name="Dr Reyes")
    await page.goto(f"{stack.base}/app/reviews?school_id={school}")
    await page.get_by_label("Kind").select_option("interim")
    await page.get_by_role("button", name="Start a review").click()
    await expect(page.locator("#review-status")).to_contain_text("draft")
    first = page.locator("fieldset.indicator").first
    await first.locator("label.level", has_text="(evidence required)").first.locator("input").check()
    await first.get_by_label("Notes").fill("Saw the team's norms on the wall")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await page.get_by_role("button", name="Submit the review").click()

    first = page.locator("fieldset.indicator").first
    await expect(first.get_by_label("Evidence seen")).to_have_accessible_description(
        "evidence is required at this level"
    )
    await expect(page.get_by_role("alert")).to_contain_text(
        re.compile("Not submitted.*Evidence seen — ", re.S)
    )
    await expect(page.get_by_role("alert")).not_to_contain_text("body")
    await expect(first.get_by_label("Notes")).to_have_value("Saw the team's norms on the wall")
    await expect(page.locator("#review-status")).to_contain_text("draft")
    await check_page(page, "review-submit-problem")

    await first.get_by_label("Evidence seen").fill("Norms poster, photographed")
    await page.get_by_role("button", name="Save ratings").click()
    await page.get_by_role("button", name="Submit the review").click()
    await expect(page.locator("#review-status")).to_contain_text("submitted")
    await context.close()
