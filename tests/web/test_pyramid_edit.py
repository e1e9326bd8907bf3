"""Issue 24: a school leader edits an entry of the pyramid and retires it in the browser. A refused edit is the
form again with what was typed and the message beside its field; a retired entry is listed apart, no longer
offered on a flag's assign form, and the student already assigned keeps it (its name on the assignment's
page); "Offer again" brings it back."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def test_a_leader_edits_and_retires_an_entry_and_its_assignment_keeps_it(stack, browser):
    district, assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    student = f"{klass}-st0"
    await stack.post_result(district, assessment, student, 2)  # 20 %: a support flag
    admin = district.token(Role.DISTRICT_ADMIN)

    async def flagged() -> bool:
        found = await stack.gateway.get(f"{IV}/flags", params={"school_id": school}, headers=admin)
        return any(f["student_id"] == student for f in found.json())

    assert await eventually(flagged, timeout_s=20)
    start = date.today() - timedelta(weeks=1)
    body = {"intervention_id": intervention["id"], "student_id": student, "standard_id": None,
            "start_on": start.isoformat(), "planned_weeks": 6, "champion": district.teachers[0], "baseline": 20,
            "goal": 70, "goal_date": (start + timedelta(weeks=6)).isoformat()}  # fmt: skip
    assigned = await stack.gateway.post(f"{IV}/assignments", json=body, headers=admin)
    assert assigned.status_code == 201, assigned.text

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "school_leader", district.id, school, name="Paula Ng")
    await page.goto(f"{stack.base}/app/setup/pyramid?school_id={school}")
    tier2 = page.get_by_role("region", name="Tier 2 — supplemental")
    await tier2.get_by_role("link", name="Edit Fractions small group").click()
    await expect(page.get_by_role("heading", name="Edit Fractions small group")).to_be_visible()
    await expect(page.get_by_label("Minutes a week")).to_have_value("90")

    # Refused: a blank name and minutes that are not a number; the form again, as typed, messages beside.
    await page.get_by_label("Name").fill(" ")
    await page.get_by_label("Minutes a week").fill("lots")
    await page.get_by_label("Delivery").fill("in class, with the co-teacher")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#i-dosage-error")).to_be_visible()
    await expect(page.get_by_label("Delivery")).to_have_value("in class, with the co-teacher")
    await expect(page.get_by_label("Minutes a week")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("alert")).to_contain_text("Name: cannot be blank")
    await expect(page.get_by_role("alert")).to_contain_text("Minutes a week: must be a whole number")
    await check_page(page, "setup-pyramid-edit-refused")

    # Saved: the new name, tier and minutes on the pyramid page.
    await page.get_by_label("Name").fill("Fractions small group (Tue/Thu)")
    await page.get_by_label("Tier", exact=True).select_option("3")
    await page.get_by_label("Minutes a week").fill("60")
    await page.get_by_role("button", name="Save").click()
    tier3 = page.get_by_role("region", name="Tier 3 — intensive")
    await expect(tier3).to_contain_text("Fractions small group (Tue/Thu)")
    await expect(tier3).to_contain_text("in class, with the co-teacher, 60 min a week")
    await expect(page.get_by_role("region", name="Tier 2 — supplemental")).to_contain_text("None yet.")

    # Retired: listed apart with "Offer again"; the flags' assign form no longer offers it.
    await tier3.get_by_role("button", name="Retire Fractions small group (Tue/Thu)").click()
    retired = page.get_by_role("region", name="Retired")
    await expect(retired).to_contain_text("Fractions small group (Tue/Thu)")
    await expect(page.get_by_role("region", name="Tier 3 — intensive")).to_contain_text("None yet.")
    await check_page(page, "setup-pyramid-retired")
    offered = await stack.gateway.get(f"{IV}/schools/{school}/interventions", headers=admin)
    assert offered.json() == []
    await page.goto(f"{stack.base}/app/flags?school_id={school}")
    await expect(page.locator("#open-flags")).to_contain_text("Ana Lopez")
    await expect(page.locator("select option", has_text="Fractions small group")).to_have_count(0)

    # The student already assigned keeps it: its page names it.
    await page.goto(f"{stack.base}/app/assignments/{assigned.json()['id']}")
    await expect(page.locator("dl.facts")).to_contain_text("Tier 3: Fractions small group (Tue/Thu)")

    # Offered again.
    await page.goto(f"{stack.base}/app/setup/pyramid?school_id={school}")
    await page.get_by_role("button", name="Offer Fractions small group (Tue/Thu) again").click()
    await expect(page.get_by_role("region", name="Tier 3 — intensive")).to_contain_text(
        "Fractions small group (Tue/Thu)"
    )
    await expect(page.get_by_role("region", name="Retired")).to_have_count(0)
    await context.close()
