"""The data meeting after a retake (issue 21): each student once, counted by their latest scored attempt, with
their attempts shown; a voided retake brings the first attempt back. A teacher drives the page in Chromium."""

from __future__ import annotations

from playwright.async_api import expect
from plc_shared.auth import Role
from web.testing import check_page, sign_in


async def test_after_a_retake_the_data_meeting_shows_each_student_once_with_their_attempts(stack, browser):
    gateway, base = stack.gateway, stack.base
    district, assessment, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    ana, ben, cleo = (f"{klass}-{k}" for k in ("st0", "st1", "st2"))
    await stack.post_result(district, assessment, ana, 2)  # 20 %: below the cut on both standards
    await stack.post_result(district, assessment, ben, 10)  # 100 %
    await stack.post_result(district, assessment, cleo, 3)  # 30 %
    retakes = [  # attempt 2 the same day: Ana reaches mastery, Cleo stays below
        {
            "assessment_id": assessment["id"],
            "student_id": sid,
            "attempt": 2,
            "objective_scores": {"O1": p, "O2": p},
        }
        for sid, p in ((ana, 10), (cleo, 4))
    ]
    sent = await district.post("/assessments/results/bulk", {"results": retakes})
    assert sent.json()["accepted"] == 2, sent.text

    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    analysis = (
        await gateway.get(f"/assessments/assessments/{assessment['id']}/analysis", headers=leader)
    ).json()
    assert (analysis["students"], analysis["attempts"]) == (3, 5)
    assert all(b["student_ids"] == [cleo] for b in analysis["below_cut"])

    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, base, "teacher", district.id, school, klass, name="Ms Rivera")
    await page.goto(f"{base}/app/meetings/{assessment['id']}?school_id={school}")
    await expect(page.locator("#counts")).to_contain_text("3 students (5 attempts)")
    below = page.locator("table.below")
    await expect(below).to_have_count(2)
    for table in (below.nth(0), below.nth(1)):  # one row per student below, Cleo only, from attempt 2 of 2
        await expect(table.locator("tbody tr")).to_have_count(1)
        await expect(table.get_by_role("rowheader", name="Cleo Nguyen")).to_be_visible()
        await expect(table).to_contain_text("attempt 2 of 2")
    await expect(page.locator("#enrichment")).to_contain_text("Ana Lopez")
    await expect(page.locator("#enrichment li")).to_have_count(2)  # Ana (retake) and Ben
    attempts = page.locator("#attempts tbody tr")
    await expect(attempts).to_have_count(3)  # each student once
    ana_row = page.locator("#attempts tr", has=page.get_by_role("rowheader", name="Ana Lopez"))
    await expect(ana_row).to_contain_text("100 % (attempt 2)")
    await ana_row.locator("summary").click()
    await expect(ana_row.locator("ul.attempts li")).to_have_count(2)
    await expect(ana_row.locator("ul.attempts li").first).to_contain_text("20 %")
    await check_page(page, "data-meeting-retake")

    voided = await gateway.delete(
        f"/assessments/results/{assessment['id']}/{ana}/2", headers=district.sis
    )  # Ana's retake was entered in error: her first attempt counts again
    assert voided.status_code == 204, voided.text
    await page.reload()
    await expect(page.locator("#counts")).to_contain_text("3 students (4 attempts)")
    await expect(below.nth(0).get_by_role("rowheader", name="Ana Lopez")).to_be_visible()
    await expect(below.nth(0).locator("tbody tr")).to_have_count(2)
    await context.close()
