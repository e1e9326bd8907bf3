"""A reviewer rates every indicator with the evidence beside it and finalizes a review."""

from __future__ import annotations

from assessments.testing import District
from playwright.async_api import expect
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def test_a_reviewer_rates_every_indicator_with_evidence_and_finalizes_a_review(stack, browser):
    gateway, base, settings = stack.gateway, stack.base, stack.settings
    district = await District(gateway, settings).build()
    school = await stack.program_school(district)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "reviewer", district.id, school, name="Dr Reyes")
    await page.get_by_role("link", name="Reviews").first.click()
    await check_page(page, "reviews")
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
    await check_page(page, "review-draft")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await page.get_by_role("button", name="Submit the review").click()
    await expect(page.locator("#review-status")).to_contain_text("submitted")
    await page.get_by_role("button", name="Finalize the review").click()
    await expect(page.locator("#review-status")).to_contain_text("finalized")
    await expect(page.locator("#review-status")).to_contain_text("100 %")
    await check_page(page, "review-finalized")
    await page.get_by_role("link", name="All reviews of the school").click()
    await expect(page.locator("#reviews")).to_contain_text("finalized")
    await context.close()
