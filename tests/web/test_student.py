"""The student page: a teacher opens the data meeting, follows a student's name and sees the student's results
per standard, the open flag, the tier and the intervention assigned with its progress chart. Another district's
admin gets a 404 for the same address and sees no name."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def test_a_teacher_follows_a_name_from_the_data_meeting_to_the_students_page(stack, browser):
    gateway, base = stack.gateway, stack.base
    district, assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    ana = f"{klass}-st0"
    await stack.post_result(district, assessment, ana, 2)  # 20 %: below the cut on both standards
    await stack.post_result(district, assessment, f"{klass}-st1", 10)
    admin = district.token(Role.DISTRICT_ADMIN)
    start = date.today() - timedelta(weeks=3)  # progress points may not be dated after today
    plan = {
        "intervention_id": intervention["id"],
        "student_id": ana,
        "standard_id": assessment["standards"][0],
        "start_on": start.isoformat(),
        "planned_weeks": 6,
        "champion": "Ms Rivera",
        "baseline": 20,
        "goal": 70,
        "goal_date": (start + timedelta(weeks=6)).isoformat(),
    }
    created: list[dict] = []

    async def flagged_and_assigned() -> bool:  # the flags come from the result events
        found = await gateway.get(f"{IV}/students/{ana}", headers=admin)
        if found.status_code != 200 or len(found.json()["open_flags"]) < 2:
            return False
        response = await gateway.post(f"{IV}/assignments", json=plan, headers=admin)
        assert response.status_code == 201, response.text
        created.append(response.json())
        return True

    assert await eventually(flagged_and_assigned, timeout_s=20, interval_s=0.3)
    assignment = created[0]
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    decision = {"tier": 2, "reason": "below the cut on both standards"}
    response = await gateway.put(f"{IV}/students/{ana}/tier", json=decision, headers=leader)
    assert response.status_code == 200, response.text
    flags = (await gateway.get(f"{IV}/students/{ana}", headers=admin)).json()["open_flags"]
    second = next(f for f in flags if f["standard_id"] == assessment["standards"][1])
    resolve = {"reason": "re-taught in class"}
    response = await gateway.post(f"{IV}/flags/{second['id']}/resolve", json=resolve, headers=leader)
    assert response.status_code == 200, response.text
    for days, score in ((7, 35), (14, 48)):
        point = {"measured_on": (start + timedelta(days=days)).isoformat(), "score": score}
        response = await gateway.post(
            f"{IV}/assignments/{assignment['id']}/progress", json=point, headers=admin
        )
        assert response.status_code == 200, response.text

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "teacher", district.id, school, klass, name="Ms Rivera")
    await page.goto(f"{base}/app/meetings/{assessment['id']}")
    below = page.locator("table.below").first
    await below.get_by_role("link", name="Ana Lopez").click()

    await expect(page.get_by_role("heading", level=1, name="Ana Lopez")).to_be_visible()
    assert page.url == f"{base}/app/students/{ana}"
    results = page.locator("#results")
    await expect(results.get_by_role("rowheader", name="Fractions CFA")).to_be_visible()
    await expect(results).to_contain_text("20 %")
    await expect(results).to_contain_text(date.today().isoformat())
    await expect(results).to_contain_text("below the cut")
    open_flags, resolved = page.locator("#open-flags"), page.locator("#resolved-flags")
    await expect(open_flags.locator("tbody tr")).to_have_count(1)
    await expect(open_flags).to_contain_text(f"NF1-{assessment['id'].split('-a-')[1]}")
    await expect(open_flags).to_contain_text("Fractions CFA")
    await expect(open_flags).to_contain_text("20 % / 70 %")
    await expect(resolved.locator("tbody tr")).to_have_count(1)
    await expect(resolved).to_contain_text("the team's decision: re-taught in class")
    await expect(page.locator("#current-tier")).to_have_text("Tier 2")
    history = page.locator("#tier-history tbody tr")
    await expect(history).to_have_count(1)
    await expect(history.first).to_contain_text("tier 1 → 2")
    await expect(history.first).to_contain_text("decision: below the cut on both standards")

    plan_heading = page.get_by_role("heading", level=3, name="Fractions small group")
    await expect(plan_heading).to_be_visible()
    await expect(page.locator("article.assignment")).to_contain_text("2 progress points")
    chart = page.get_by_role(
        "img", name="Progress of Ana Lopez in Fractions small group"
    )  # the record's name
    await expect(chart).to_be_visible()
    latest = (start + timedelta(days=14)).isoformat()
    await expect(chart).to_have_accessible_description(re.compile(
        f"^Baseline 20 on {start.isoformat()}; goal 70 by {plan['goal_date']} .* 2 progress checks: .*{latest}: 48\\."
    ))  # fmt: skip
    await expect(
        chart.locator("text").filter(has_text="Progress of Ana Lopez in Fractions small group")
    ).to_have_count(1)
    await check_page(page, "student")

    # The flags page links the same names to the same page.
    await page.goto(f"{base}/app/flags?school_id={school}")
    await page.locator("#open-flags").get_by_role("link", name="Ana Lopez").first.click()
    await expect(page.get_by_role("heading", level=1, name="Ana Lopez")).to_be_visible()
    assert page.url == f"{base}/app/students/{ana}"

    # Another district's admin: the same address is a 404 page without the name.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    answer = await stranger.goto(f"{base}/app/students/{ana}")
    assert answer is not None and answer.status == 404
    await expect(stranger.get_by_role("heading", level=1)).to_be_visible()
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await expect(stranger.locator("body")).not_to_contain_text("Fractions")
    await check_page(stranger, "student-other-district-404")
    await other.close()
    await context.close()
