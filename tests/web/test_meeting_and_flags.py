"""A teacher signs in, opens the data meeting of a CFA and sees the students below the cut; the SIS posts a
result through the gateway and the new flag appears on the open flags page without a reload within 5 s; the
teacher assigns an intervention. Another district's user sees none of it."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, screenshot, sign_in

IV = "/interventions/v1"


async def test_a_teacher_runs_a_data_meeting_sees_a_flag_arrive_live_and_assigns_an_intervention(
    stack, browser
):
    gateway, base = stack.gateway, stack.base
    district, assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    await stack.post_result(district, assessment, f"{klass}-st0", 2)  # 20 %: below the cut on both standards
    await stack.post_result(district, assessment, f"{klass}-st1", 10)  # 100 %: enrichment

    async def flagged() -> bool:
        found = await gateway.get(
            f"{IV}/flags", params={"school_id": school}, headers=district.token(Role.DISTRICT_ADMIN)
        )
        return any(f["student_id"] == f"{klass}-st0" and f["kind"] == "support" for f in found.json())

    assert await eventually(flagged, timeout_s=20)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await page.goto(f"{base}/app/signin")
    await check_page(page, "signin")
    await sign_in(page, base, "teacher", district.id, school, klass, name="Ms Rivera")
    await check_page(page, "home")
    await page.get_by_role("link", name="Data meetings").first.click()
    await check_page(page, "meetings")

    # The data meeting: students below the cut per standard, by name, with their score; enrichment.
    await page.get_by_role("link", name="Fractions CFA").first.click()
    await expect(page.get_by_role("heading", name="Data meeting: Fractions CFA")).to_be_visible()
    below = page.locator("table.below")
    await expect(below.first.get_by_role("rowheader", name="Ana Lopez")).to_be_visible()
    await expect(page.locator("#enrichment")).to_contain_text("Ben Okafor")
    await expect(below.first).not_to_contain_text("Ben Okafor")
    await check_page(page, "data-meeting")

    # Flags, live: the SIS posts a result and the new flag appears without a reload within 5 s.
    await page.get_by_role("link", name="Flags").first.click()
    open_flags = page.locator("#open-flags")
    await expect(open_flags.get_by_role("rowheader", name="Ana Lopez").first).to_be_visible()
    await expect(open_flags).not_to_contain_text("Cleo Nguyen")
    # The school's tiers, drawn in the page from the interventions service's JSON, every share said in words.
    tiers = page.get_by_role("img", name=f"Tiers at {school}")  # the roster names this school by its id
    await expect(tiers).to_have_accessible_description(
        re.compile(r"^\d+ students\. Share of students per tier: tier 1: ")
    )
    await expect(tiers.locator("text").filter(has_text="Guidance (RTI: 80 / 15 / 5 %)")).to_have_count(1)
    await check_page(page, "flags")
    await page.evaluate("window.__sameDocument = true")
    await stack.post_result(district, assessment, f"{klass}-st2", 1)
    await expect(open_flags.get_by_role("rowheader", name="Cleo Nguyen").first).to_be_visible(timeout=5_000)
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    await screenshot(page, "flags-live")

    # Assign the school's tier 2 intervention to Cleo from the flag.
    row = open_flags.locator("tr", has=page.get_by_role("rowheader", name="Cleo Nguyen")).first
    await row.locator("summary").click()
    await row.get_by_label("Intervention").select_option(intervention["id"])
    await check_page(page, "flags-assign-open")
    await row.get_by_role("button", name="Assign intervention").click()
    await expect(page.get_by_role("status")).to_contain_text("The intervention is assigned")
    await page.get_by_role("link", name="See its progress").click()
    await expect(page.get_by_role("heading", name="Intervention progress")).to_be_visible()
    await check_page(page, "assignment")

    # Another district's user sees none of it: not the flags, not the meeting, not the assignment.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    await stranger.goto(f"{base}/app/flags?school_id={school}")
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await expect(stranger.locator("body")).not_to_contain_text("Cleo Nguyen")
    answer = await stranger.goto(f"{base}/app/meetings/{assessment['id']}")
    assert answer is not None and answer.status == 404
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await check_page(stranger, "other-district-404")
    await other.close()
    await context.close()
