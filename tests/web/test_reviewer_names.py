"""Issue 24: an external reviewer sees the other reviewers of a review by name, not by id. Reviewers cannot
read the district's roster: the reviews service records each reviewer's name (the token's `name` claim, what
they signed in with) when they act on the review and serves it with the review."""

from __future__ import annotations

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from web.signin.people import typed_subject
from web.testing import VIEWPORTS, check_page, sign_in

RV = "/reviews/v1"


async def test_an_external_reviewer_sees_the_other_reviewer_by_name(stack, browser):
    district = await District(stack.gateway, stack.settings).build()
    school = await stack.program_school(district)
    ada, bo = typed_subject(district.id, "Ada Reyes"), typed_subject(district.id, "Bo Visitor")
    body = {"kind": "interim", "on": "2026-11-16", "reviewer_ids": [ada, bo]}  # the district's review team
    made = await district.post(f"{RV}/schools/{school}/reviews", body, district.token(Role.DISTRICT_ADMIN))
    assert made.status_code == 201, made.text
    review = made.json()
    assert {r["name"] for r in review["reviewers"]} == {None}

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    # Bo rates an indicator (the service records his name); he cannot read the roster.
    await sign_in(page, stack.base, "reviewer", district.id, school, name="Bo Visitor")
    roster = await stack.gateway.get(
        "/assessments/roster/staff", headers=district.token(Role.REVIEWER, schools=(school,))
    )
    assert roster.status_code == 403
    await page.goto(f"{stack.base}/app/reviews/{review['id']}")
    fieldset = page.locator("fieldset.indicator").first
    await fieldset.locator('input[type="radio"][value="2"]').check()
    await fieldset.get_by_label("Evidence seen").fill("Team minutes, three meetings")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")
    await context.clear_cookies()

    # Ada signs in: the review and the school's history name Bo, not his id.
    await sign_in(page, stack.base, "reviewer", district.id, school, name="Ada Reyes")
    await page.goto(f"{stack.base}/app/reviews/{review['id']}")
    status = page.locator("#review-status")
    await expect(status).to_contain_text("reviewed by Ada Reyes, Bo Visitor")
    await expect(status).not_to_contain_text("dev-person-")
    await check_page(page, "review-reviewer-names")
    await page.goto(f"{stack.base}/app/reviews/history?school_id={school}")
    row = page.locator("tr", has_text="Interim")
    await expect(row.first).to_contain_text("Bo Visitor")
    await expect(page.locator("main")).not_to_contain_text(bo)
    await check_page(page, "reviews-history-reviewer-names")
    await context.close()
