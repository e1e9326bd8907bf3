"""The PLC process in the browser (issue 24, point 8): a leader writes the school's foundation (a blank mission
is refused next to its field with what was typed kept; a second version joins the history), a team's norms and
its checklist of the 18 critical issues are written, a CFA gets its quality check against the five keys (a key
not met without a note is refused next to that note), and the process page shows each step of the Missouri PLC
process chart (fact sheets 001 and 004) with its evidence from the data, in the review rubric's words."""

from __future__ import annotations

import re

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

GV = "/goals/v1"


async def _school_goal_with_a_cycle(stack, district: District, cfa: dict) -> None:
    """An active school goal on the CFA with a PDSA cycle (goals learns the school and CFA from events)."""
    school = district.schools[0]
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    goal = {
        "title": "School: 70 % proficient on fractions",
        "measure": {"kind": "proficient", "assessment_id": cfa["id"]},
        "population": {"kind": "school"},
        "baseline": {"value": 40},
        "target": 70,
        "start": "2026-09-01",
        "deadline": "2027-05-31",
    }
    made: list[str] = []

    async def active() -> bool:
        if not made:
            response = await stack.gateway.post(f"{GV}/schools/{school}/goals", json=goal, headers=leader)
            if response.status_code != 201:
                return False
            made.append(response.json()["id"])
        return (await stack.gateway.post(f"{GV}/goals/{made[0]}/activate", headers=leader)).status_code == 200

    assert await eventually(active, timeout_s=20, interval_s=0.3)
    plan = {"question": "Do daily exit tickets help?", "change_idea": "Daily exit tickets"}
    assert (
        await stack.gateway.post(f"{GV}/goals/{made[0]}/cycles", json=plan, headers=leader)
    ).status_code == 201


async def _collaborative_team(stack, district: District) -> None:
    school = district.schools[0]
    await stack.enroll_staff(district)
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    team = {
        "kind": "collaborative",
        "name": "Grade 4 math team",
        "member_ids": [f"{school}-t0", f"{school}-t1"],
    }

    async def formed() -> bool:  # goals learns the staff from the roster's events
        response = await stack.gateway.post(f"{GV}/schools/{school}/teams", json=team, headers=leader)
        return response.status_code == 201

    assert await eventually(formed, timeout_s=20, interval_s=0.3)


async def test_a_school_works_through_the_plc_process_and_the_process_page_shows_each_step(stack, browser):
    district, _district_cfa, _intervention = await stack.seed_district()
    school = district.schools[0]
    cfa = await district.assessment(name="school-cfa", school_id=school)
    await _collaborative_team(stack, district)
    await _school_goal_with_a_cycle(stack, district, cfa)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "school_leader", district.id, school, name="Ms Rivera")
    await page.get_by_role("link", name="PLC process").click()
    priorities = page.locator("#step-priorities")
    await expect(priorities).to_contain_text("Not started")
    await expect(priorities).to_contain_text(
        "The school has a shared mission of learning for all"
    )  # the rubric

    # The foundation: a blank mission is refused beside its field, what was typed is kept.
    await priorities.get_by_role("link").click()
    await expect(page.get_by_role("heading", name="No foundation yet")).to_be_visible()
    await page.get_by_label("Mission").fill("   ")
    await page.get_by_label("Vision").fill("Every student leaves us reading on grade level")
    await page.get_by_label("Values").fill("Students first\nWe learn together")
    await page.get_by_label("Collective commitments").fill(
        "We give common assessments\nWe respond when a student does not learn"
    )
    await page.get_by_role("button", name="Save as a new version").click()
    await expect(page.locator("#f-mission-error")).to_be_visible()
    await expect(page.get_by_label("Mission")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Vision")).to_have_value("Every student leaves us reading on grade level")
    await check_page(page, "foundation-refused")
    await page.get_by_label("Mission").fill("Learning for all, whatever it takes")
    await page.get_by_role("button", name="Save as a new version").click()
    await expect(page.get_by_role("heading", name="Current foundation (version 1)")).to_be_visible()
    await page.get_by_label("Vision").fill("Every student reads on grade level by grade 3")
    await page.get_by_role("button", name="Save as a new version").click()
    await expect(page.get_by_role("heading", name="Current foundation (version 2)")).to_be_visible()
    await expect(page.locator("#current")).to_contain_text("by grade 3")
    history = page.locator("#history tbody tr")
    await expect(history).to_have_count(2)
    await expect(history.nth(1)).to_contain_text("Every student leaves us reading on grade level")
    await check_page(page, "foundation")

    # The team's norms and its checklist of the 18 critical issues.
    await page.goto(f"{stack.base}/app/teams?school_id={school}")
    await page.get_by_role("link", name="Grade 4 math team").click()
    await page.get_by_role("link", name="Norms and critical issues").click()
    await page.get_by_role("textbox", name=re.compile(r"^Norms")).fill(
        "Start and end on time\nAssume good intent"
    )
    await page.get_by_role("textbox", name=re.compile(r"^Protocols")).fill("Data protocol for each CFA")
    await page.get_by_role("button", name="Save the norms").click()
    await expect(page.get_by_role("textbox", name=re.compile(r"^Norms"))).to_have_value(
        "Start and end on time\nAssume good intent"
    )
    await page.get_by_label("Status of issue 1", exact=True).select_option("done")
    await page.get_by_label("Note on issue 1", exact=True).fill("Norms agreed on 9/3")
    await page.get_by_label("Status of issue 10", exact=True).select_option("in progress")
    await page.get_by_role("button", name="Save the checklist").click()
    await expect(page.locator("#progress")).to_have_text("1 of 18 done, 1 in progress.")
    await expect(page.get_by_label("Status of issue 1", exact=True)).to_have_value("done")
    await expect(page.get_by_label("Note on issue 1", exact=True)).to_have_value("Norms agreed on 9/3")
    await check_page(page, "team-practice")

    # The CFA's quality check: a key partly met without a note is refused beside that note.
    await page.goto(f"{stack.base}/app/assessments/{cfa['id']}/quality")
    for key in ("Clear purpose", "Clear targets", "Effective communication", "Student involvement"):
        await page.locator("fieldset", has_text=key).get_by_label("Met", exact=True).check()
    await page.locator("fieldset", has_text="Sound design").get_by_label("Partly met").check()
    await page.get_by_role("button", name="Save the quality check").click()
    await expect(page.locator("#note-sound_design-error")).to_have_text("say what the team will change")
    await expect(
        page.locator("fieldset", has_text="Clear purpose").get_by_label("Met", exact=True)
    ).to_be_checked()
    await check_page(page, "quality-refused")
    await page.get_by_label("Note on sound design").fill("Add a second item for O2")
    await page.get_by_role("button", name="Save the quality check").click()
    await expect(page.locator("#verdict")).to_contain_text("Checked against all five keys")
    await check_page(page, "quality")

    # The process page: every step with its evidence, in the rubric's words.
    await page.get_by_role("link", name="Where the school stands on the PLC process").click()
    steps = {
        "priorities": ("In place", "Foundation version 2"),
        "reality": ("In place", "1 school-wide goal(s) set from the data"),
        "teams": ("Under way", "1 of 1 collaborative team(s) with norms and protocols"),
        "assessments": ("In place", "1 of 1 common formative assessment(s) checked against the five keys"),
        "goals": ("In place", "1 active school goal(s), 0 active team goal(s)"),
        "pyramid": ("Under way", "1 intervention(s) in the pyramid (tier 2: 1)"),
    }
    for step, (status, evidence) in steps.items():
        await expect(page.locator(f"#step-{step} h2")).to_contain_text(status)
        await expect(page.locator(f"#step-{step}")).to_contain_text(evidence)
    await expect(page.locator("#step-teams")).to_contain_text(
        "Grade 4 math team: 1 of 18 critical issues done, 1 in progress"
    )
    await expect(page.locator("#step-teams")).to_contain_text(
        "Every collaborative team has norms and protocols it uses and reviews."
    )
    await expect(page.locator("#step-goals")).to_contain_text("1 PDSA cycle(s) under way, 0 closed")
    await check_page(page, "process")

    # A teacher of another school finds the foundation missing.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, stack.base, "teacher", district.id, district.schools[1])
    answer = await stranger.goto(f"{stack.base}/app/schools/{school}/foundation")
    assert answer is not None and answer.status == 404
    await other.close()
    await context.close()
