"""Issue 24 point 5, the teachers' flow on the flags page: the assign form offers only the interventions that fit
the flag (its kind; the student's tier or one up) with none chosen beforehand; a double-click assigns once and the
answer comes back to the same filters; the flag then shows the support in place; assigning the same again is the
interventions service's 409, shown on the flag's form beside "Intervention"; the student-centred view has one row
per student with the standards as chips, grouped by class; while a panel is open the page says live updates are
paused; the student page shows the tier in force."""

from __future__ import annotations

import re

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, screenshot, sign_in

IV = "/interventions/v1"
CATALOG = (  # beside the seeded "Fractions small group" (tier 2, small group)
    {"name": "Reteach in class", "tier": 1, "kind": "reteach", "delivery": "in class", "dosage_minutes_per_week": 30},
    {"name": "Math challenge club", "tier": 1, "kind": "enrichment", "delivery": "after school", "dosage_minutes_per_week": 45},
    {"name": "Intensive tutoring", "tier": 3, "kind": "tutoring", "delivery": "pull-out", "dosage_minutes_per_week": 150},
)  # fmt: skip


async def _flags(stack, district, school: str) -> list[dict]:
    found = await stack.gateway.get(
        f"{IV}/flags", params={"school_id": school}, headers=district.token(Role.DISTRICT_ADMIN)
    )
    return found.json()


async def test_a_teacher_assigns_what_fits_once_keeps_her_filters_and_sees_students_as_rows(stack, browser):
    district, assessment, tier2 = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    for entry in CATALOG:
        made = await stack.gateway.post(f"{IV}/schools/{school}/interventions", json=entry, headers=leader)
        assert made.status_code == 201, made.text
    ana, ben = f"{klass}-st0", f"{klass}-st1"
    await stack.post_result(district, assessment, ana, 2)  # 20 %: support flags on both standards
    await stack.post_result(district, assessment, ben, 10)  # 100 %: enrichment flags

    async def flagged() -> bool:
        kinds = {(f["student_id"], f["kind"]) for f in await _flags(stack, district, school)}
        return {(ana, "support"), (ben, "enrichment")} <= kinds

    assert await eventually(flagged, timeout_s=20)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "teacher", district.id, school, klass, name="Ms Rivera")
    await page.goto(f"{stack.base}/app/flags?school_id={school}")
    open_flags = page.locator("#open-flags")

    # Ben's enrichment flag offers the enrichment entry only; nothing is chosen beforehand.
    ben_row = open_flags.locator("tr", has=page.get_by_role("rowheader", name="Ben Okafor")).first
    await ben_row.locator("summary").click()
    await expect(page.locator("#live-note")).to_have_text(
        re.compile("^Live updates are paused while a panel is open")
    )
    choice = ben_row.get_by_label("Intervention")
    await expect(choice).to_have_value("")
    await expect(choice.locator("option")).to_have_text(
        ["Choose an intervention", re.compile("^Tier 1: Math challenge club")]
    )
    await ben_row.locator("summary").click()
    await expect(page.locator("#live-note")).to_have_text(re.compile("^This list updates by itself"))

    # Filter to support flags; Ana (tier 1) is offered tiers 1 and 2 of support, not enrichment, not tier 3.
    await page.get_by_label("Kind").select_option("support")
    await page.get_by_role("button", name="Show").click()
    await expect(open_flags).not_to_contain_text("Ben Okafor")
    ana_row = open_flags.locator("tr", has=page.get_by_role("rowheader", name="Ana Lopez")).first
    await expect(ana_row).to_contain_text("None yet")
    await ana_row.locator("summary").click()
    choice = ana_row.get_by_label("Intervention")
    await expect(choice).to_have_value("")
    await expect(choice.locator("option")).to_have_text(
        [
            "Choose an intervention",
            re.compile("^Tier 1: Reteach in class"),
            re.compile("^Tier 2: Fractions small group"),
        ]
    )
    await choice.select_option(tier2["id"])
    await check_page(page, "flags-assign-fitting")
    standard = ana_row.locator("input[name=standard_id]")
    standard_id = await standard.get_attribute("value")
    await ana_row.get_by_role(
        "button", name="Assign intervention"
    ).dblclick()  # a double-click: one assignment
    await expect(page.get_by_role("status")).to_contain_text("The intervention is assigned")
    assert "kind=support" in page.url and f"school_id={school}" in page.url  # the filters survived
    await expect(page.get_by_label("Kind")).to_have_value("support")

    student = (
        await stack.gateway.get(f"{IV}/students/{ana}", headers=district.token(Role.DISTRICT_ADMIN))
    ).json()
    assert [(a["intervention_id"], a["standard_id"]) for a in student["assignments"]] == [
        (tier2["id"], standard_id)
    ]

    # Every flag of Ana's now shows the support in place; the same again is refused on the flag's form.
    ana_row = open_flags.locator("tr", has=page.get_by_role("rowheader", name="Ana Lopez")).filter(
        has=page.locator(f"input[name=standard_id][value='{standard_id}']")
    )
    await expect(ana_row).to_contain_text("Tier 2: Fractions small group")
    await ana_row.locator("summary").click()
    await ana_row.get_by_label("Intervention").select_option(tier2["id"])
    await ana_row.get_by_role("button", name="Assign intervention").click()
    await expect(page.get_by_role("alert")).to_contain_text("Not assigned")
    ana_row = open_flags.locator(
        "tr", has=page.locator(f"input[name=standard_id][value='{standard_id}']")
    ).filter(has=page.get_by_role("rowheader", name="Ana Lopez"))
    await expect(ana_row.get_by_label("Intervention")).to_have_accessible_description(
        "already active for this student"
    )
    await expect(ana_row.get_by_label("Intervention")).to_have_value(tier2["id"])  # what was chosen stays
    await expect(page.get_by_label("Kind")).to_have_value("support")
    await check_page(page, "flags-assign-409")
    student = (
        await stack.gateway.get(f"{IV}/students/{ana}", headers=district.token(Role.DISTRICT_ADMIN))
    ).json()
    assert len(student["assignments"]) == 1

    # The student-centred view: one row per student (two standards as chips), by class, filters kept.
    await page.get_by_role("link", name="One row per student").click()
    assert "layout=students" in page.url and "kind=support" in page.url
    table = page.locator("table.by-student").first
    await expect(table.locator("caption")).to_contain_text("1 student")
    rows = table.locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first.get_by_role("rowheader")).to_have_text("Ana Lopez")
    await expect(rows.first.locator(".chip")).to_have_count(2)
    await expect(rows.first).to_contain_text("Tier 2: Fractions small group")
    await expect(rows.first.locator("td.num")).to_have_text("2")  # the tier in force, not the recorded 1
    await check_page(page, "flags-by-student")

    # The student page: recorded tier 1, but served at tier 2 by the active intervention.
    await rows.first.get_by_role("link", name="Ana Lopez").click()
    await expect(page.locator("#current-tier")).to_have_text("Tier 2")
    await expect(page.locator("#tier-in-force")).to_contain_text("the recorded tier is 1")
    await screenshot(page, "student-tier-in-force")
    await context.close()
