"""Issue 24 point 3: sign-in keeps who you are. The dev sign-in lists the district's staff from the roster: a
teacher picks herself and is signed in as her roster record (her name in the header, her classes, her name as
the champion of what she assigns); a reviewer who types his name and signs in again is the same user and goes on
with his draft (it was a 403 and 19 lost ratings); the analyst role is offered; a form without anyone says so
beside "Who you are"."""

from __future__ import annotations

import re

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, screenshot, sign_in

IV = "/interventions/v1"


async def _sign_out(page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(r".*/app/signin"))


async def test_a_teacher_picks_herself_from_the_roster_and_is_named_as_champion(stack, browser):
    district, assessment, intervention = await stack.seed_district()
    school, klass, maria = district.schools[0], district.classes[0], district.teachers[0]
    staff = [
        {"sourced_id": maria, "given_name": "Maria", "family_name": "Rivera", "roles": ["teacher"], "school_ids": [school]},
        {"sourced_id": f"{school}-pat", "given_name": "Pat", "family_name": "Lee", "roles": ["administrator"], "school_ids": [school]},
    ]  # fmt: skip
    assert (await district.put("/assessments/roster/staff", {"records": staff})).status_code == 200
    await stack.post_result(district, assessment, f"{klass}-st0", 2)

    async def flagged() -> bool:
        found = await stack.gateway.get(
            f"{IV}/flags", params={"school_id": school}, headers=district.token(Role.DISTRICT_ADMIN)
        )
        return any(f["student_id"] == f"{klass}-st0" for f in found.json())

    assert await eventually(flagged, timeout_s=20)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await page.goto(f"{stack.base}/app/signin?district={district.id}")
    person = page.get_by_label("Who you are")
    await expect(person.locator("option")).to_have_text(
        ["Choose yourself", re.compile("^Pat Lee · administrator"), re.compile("^Maria Rivera · teacher")],
        ignore_case=False,
    )
    await expect(page.get_by_label("Role").locator("option", has_text="Analyst")).to_have_count(1)
    await check_page(page, "signin-people")

    # Nobody chosen and no name: the form comes back, the message beside "Who you are".
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_label("Who you are")).to_have_accessible_description(
        re.compile("^choose who you are, or type your name below")
    )
    await expect(page.get_by_label("District id")).to_have_value(district.id)
    await screenshot(page, "signin-nobody")

    for _ in range(
        2
    ):  # the same person twice: the same user (her name, her class's students, her assignment)
        await page.get_by_label("Who you are").select_option(maria)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{stack.base}/app/")
        await expect(page.locator(".who")).to_contain_text("Maria Rivera · Teacher")
        await page.goto(f"{stack.base}/app/flags?school_id={school}")
        row = page.locator("#open-flags tr", has=page.get_by_role("rowheader", name="Ana Lopez")).first
        await expect(row).to_be_visible()  # her class (from the roster's teacher ids), so her student
        if await row.get_by_role("link", name=re.compile("Fractions small group")).count() == 0:
            await row.locator("summary").click()
            await row.get_by_label("Intervention").select_option(intervention["id"])
            await row.get_by_role("button", name="Assign intervention").click()
            await page.get_by_role("link", name="See its progress").click()
        else:
            await row.get_by_role("link", name=re.compile("Fractions small group")).click()
        await expect(page.locator("dl.facts")).to_contain_text("Maria Rivera")  # the champion, by name
        await _sign_out(page)
        await page.goto(f"{stack.base}/app/signin?district={district.id}")
    await context.close()


async def test_a_reviewer_who_signs_in_again_by_name_goes_on_with_his_draft(stack, browser):
    district, _, _ = await stack.seed_district()
    school = await stack.program_school(district)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "reviewer", district.id, school, name="Dr Reyes")
    await page.goto(f"{stack.base}/app/reviews?school_id={school}")
    await page.get_by_role("button", name="Start a review").click()
    await expect(page.locator("#review-status")).to_contain_text("draft")
    draft = page.url
    first = page.locator("fieldset.indicator").first
    await first.locator('input[type="radio"][value="2"]').check()
    await first.get_by_label("Evidence seen").fill("PLC meeting minutes")
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")

    await _sign_out(page)
    await sign_in(
        page, stack.base, "reviewer", district.id, school, name="  dr   reyes "
    )  # same name, typed loosely
    await page.goto(draft)
    first = page.locator("fieldset.indicator").first
    await expect(first.get_by_label("Evidence seen")).to_have_value("PLC meeting minutes")
    await first.locator('input[type="radio"][value="3"]').check()
    await page.get_by_role("button", name="Save ratings").click()
    await expect(page.get_by_role("status")).to_contain_text("saved")  # his draft still: no 403
    await context.close()
