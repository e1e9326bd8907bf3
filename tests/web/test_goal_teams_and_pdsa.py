"""A school leader forms teams (the leadership rule's 422 shown next to the form), writes a team goal that serves
a school goal, edits it (a new version is listed), and runs a PDSA cycle Plan → Do → Study → Act through the
service's gates; another district's leader gets a 404 for the team and the goal."""

from __future__ import annotations

import re
from datetime import date

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

GV = "/goals/v1"


async def test_a_leader_runs_a_team_goal_through_a_version_and_a_pdsa_cycle(stack, browser):
    gateway, base = stack.gateway, stack.base
    district, assessment, _intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    await stack.enroll_staff(district)
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    school_goal = {
        "title": "School: 70 % proficient in grade 4 math",
        "measure": {"kind": "proficient", "assessment_id": assessment["id"]},
        "population": {"kind": "school"},
        "baseline": {"value": 40},
        "target": 70,
        "start": "2026-09-01",
        "deadline": "2027-05-31",
    }
    created: list[dict] = []

    async def school_goal_active() -> (
        bool
    ):  # goals learns the school, the staff and the assessment from events
        if not created:
            response = await gateway.post(f"{GV}/schools/{school}/goals", json=school_goal, headers=leader)
            if response.status_code != 201:
                return False
            created.append(response.json())
        activated = await gateway.post(f"{GV}/goals/{created[0]['id']}/activate", headers=leader)
        return activated.status_code == 200

    assert await eventually(school_goal_active, timeout_s=20, interval_s=0.3)

    async def staff_known() -> bool:
        team = {
            "kind": "collaborative",
            "name": "Reading support team",
            "member_ids": [f"{school}-admin", f"{school}-t2"],
        }
        response = await gateway.post(f"{GV}/schools/{school}/teams", json=team, headers=leader)
        return response.status_code == 201

    assert await eventually(staff_known, timeout_s=20, interval_s=0.3)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "school_leader", district.id, school, name="Ms Rivera")
    await page.goto(f"{base}/app/goals")
    await page.get_by_role("link", name="Teams and their goals").click()
    await expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    await check_page(page, "teams")

    # A leadership team of three breaks the rule: the service's 422 is shown next to the form.
    await page.get_by_role("link", name="Form a team").click()
    await page.get_by_label("Kind").select_option("leadership")
    await page.get_by_label("Name").fill("Leadership team")
    await page.get_by_label("Other staff of the school").fill(f"{school}-t0, {school}-t1, {school}-t2")
    await page.get_by_role("button", name="Form the team").click()
    problem = page.get_by_role("alert")
    await expect(problem).to_contain_text("Leadership team rule")
    await expect(problem).to_contain_text("Members: ")  # named by the field's label
    await expect(page.locator("#t-members-error")).to_contain_text("administrator")  # and beside the field
    await check_page(page, "team-form-rule")
    await page.get_by_label("Other staff of the school").fill(
        f"{school}-admin, {school}-t0, {school}-t1, {school}-t2"
    )
    await page.get_by_role("button", name="Form the team").click()
    await expect(page.get_by_role("heading", name="Leadership team")).to_be_visible()
    await expect(page.locator("#members")).to_contain_text("administrator")
    # Editing keeps the rule: without its administrator the team is refused, the reason next to the form.
    await page.get_by_role("link", name="Edit the team").click()
    await page.get_by_label(f"{school}-admin").uncheck()
    await page.get_by_role("button", name="Save the team").click()
    await expect(page.get_by_role("alert")).to_contain_text("at least one administrator")
    await check_page(page, "team-edit-rule")
    await page.get_by_role("link", name="Cancel").click()
    await expect(page.locator("#members")).to_contain_text(f"{school}-admin")

    # A collaborative team: two teachers picked by name from the school's staff (the roster's staff records
    # name them), a class, an essential standard.
    named = [
        {"sourced_id": f"{school}-t{n}", "given_name": given, "family_name": family, "roles": ["teacher"],
         "school_ids": [school]}
        for n, (given, family) in enumerate([("Maria", "Rivera"), ("Sam", "Okoye")])
    ]  # fmt: skip
    assert (await district.put("/assessments/roster/staff", {"records": named})).status_code == 200
    await page.get_by_role("link", name="All teams of the school").click()
    await expect(page.locator("body")).to_contain_text("Maria Rivera")  # the leadership team, by name
    await page.get_by_role("link", name="Form a team").click()
    await page.get_by_label("Name").fill("Grade 4 math team")
    await page.get_by_label("Maria Rivera").check()
    await page.get_by_label("Sam Okoye").check()
    await page.get_by_label(klass, exact=True).check()
    await page.locator('input[name="standard_ids"]').first.check()
    await check_page(page, "team-form")
    await page.get_by_role("button", name="Form the team").click()
    await expect(page.get_by_role("heading", name="Grade 4 math team")).to_be_visible()
    await expect(page.locator("#members")).to_contain_text("Maria Rivera")
    await expect(page.locator("#members")).not_to_contain_text(f"{school}-t0")
    await expect(page.locator("#members")).to_contain_text("teacher")
    await expect(page.locator("#classes")).to_contain_text(klass)
    team_url = page.url
    await check_page(page, "team")
    await page.get_by_role("link", name="All teams of the school").click()
    await expect(page.locator("#teams")).to_contain_text("Leadership team")
    await expect(page.locator("#teams")).to_contain_text(f"{school}-admin (administrator)")
    await check_page(page, "teams-formed")
    await page.goto(team_url)

    # A team goal that serves the school goal, on the team's classes, SMART-checked as it is typed.
    await page.get_by_role("link", name="Write a team goal").click()
    await page.get_by_label("School goal it serves").select_option(created[0]["id"])
    await page.get_by_label("Title").fill("Grade 4 team: 80 % proficient on the CFA")
    await page.get_by_label("Measure").select_option("proficient")
    await page.get_by_label("Assessment").select_option(assessment["id"])
    await page.get_by_label("Baseline (%)").fill("40")
    await page.get_by_label("Target (%)").fill("80")
    today = date.today()
    await page.get_by_label("Start", exact=True).fill(date(today.year, 1, 1).isoformat())
    await page.get_by_label("Deadline").fill(date(today.year, 12, 31).isoformat())
    await expect(page.locator("#smart")).to_contain_text("Every SMART letter passes")
    specific = page.locator('#smart [data-letter="S"]')
    await expect(specific).to_have_attribute("data-passed", "true")
    await page.get_by_label("Measure").select_option("growth")  # growth without its pre/post: M fails
    await expect(page.locator('#smart [data-letter="M"]')).to_have_attribute("data-passed", "false")
    await page.get_by_label("Measure").select_option("proficient")
    await expect(page.locator("#smart")).to_contain_text("Every SMART letter passes")
    await check_page(page, "team-goal-new")
    await page.get_by_role("button", name="Save as draft").click()
    await expect(page.get_by_role("heading", name="Grade 4 team: 80 % proficient on the CFA")).to_be_visible()
    await expect(page.get_by_text("Serves the school goal")).to_be_visible()
    await page.get_by_role("button", name="Activate the goal").click()
    await expect(page.locator(".lead")).to_contain_text("active")
    goal_url = page.url
    goal_id = goal_url.rsplit("/", 1)[-1]

    # Editing the active goal's target makes version 2, listed with what changed.
    await page.get_by_role("link", name="Edit the goal").click()
    await page.get_by_label("Target (%)").fill("85")
    await page.get_by_label("Interim target 1 (%)").fill("60")
    await page.get_by_label("Interim target 1: by").fill(date(today.year, 6, 30).isoformat())
    await check_page(page, "goal-edit")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.locator(".lead")).to_contain_text("version 2")
    await expect(page.locator("#versions")).to_contain_text("target: 80 → 85")
    await expect(page.locator("#versions")).to_contain_text(
        f"interim targets: none → 60 by {today.year}-06-30"
    )

    # PDSA: a plan without a prediction cannot go to Do (the service's gate, shown on the page).
    await page.get_by_label("Question").fill("Do daily fraction warm-ups raise proficiency?")
    await page.get_by_label("Change idea").fill("Ten minutes of fraction warm-ups every day")
    await page.get_by_label("Task 1: who").fill("Grade 4 teachers")
    await page.get_by_label("Task 1: what").fill("Run the warm-ups")
    await page.get_by_role("button", name="Start the cycle").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Plan")
    await page.get_by_role("button", name="Record Do").click()
    await expect(page.get_by_role("alert")).to_contain_text("Do cannot be recorded yet")
    await expect(page.get_by_role("alert")).to_contain_text("Do needs a prediction in the plan first")
    await check_page(page, "goal-pdsa-gate-do")  # the plan's form is open, its prediction to fill in
    await page.get_by_label("Predicted value of the measure (%)").fill("60")
    await page.get_by_label("By", exact=True).fill(date(today.year, 12, 31).isoformat())
    await page.get_by_role("button", name="Save the plan").click()
    await expect(page.locator("#cycle-1")).to_contain_text("60 % by")
    await page.get_by_label("Observations").fill("Every class ran them.")
    await page.get_by_role("button", name="Record Do").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Do")
    chart = page.get_by_role("img", name=re.compile("^Progress of the goal: "))  # drawn in the page
    await expect(chart.locator("text").filter(has_text="PDSA 1")).to_have_count(1)  # the cycle's start
    await expect(chart).to_have_accessible_description(re.compile("1 PDSA cycles, started "))

    # Study needs a result after Do started: none yet, the gate says so.
    await page.get_by_role("button", name="Study the results").click()
    await expect(page.get_by_role("alert")).to_contain_text("Study cannot be recorded yet")
    await expect(page.get_by_role("alert")).to_contain_text("needs a result")
    await check_page(page, "goal-pdsa-gate-study")
    for n, points in enumerate((8, 5, 9)):  # of 10 per objective, the cut 70 %: two of three proficient
        await stack.post_result(district, assessment, f"{klass}-st{n}", points)

    async def progress_after_do() -> bool:
        series = (await gateway.get(f"{GV}/goals/{goal_id}/progress", headers=leader)).json()
        return any(p["value"] is not None and p["on"] >= today.isoformat() for p in series["points"])

    assert await eventually(progress_after_do, timeout_s=20, interval_s=0.3)
    await page.goto(goal_url)
    await page.get_by_label("Notes").fill("The first CFA after the warm-ups.")
    await page.get_by_role("button", name="Study the results").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Study")
    study = page.locator("#cycle-1 .study")
    await expect(study).to_contain_text("Predicted")
    await expect(study).to_contain_text("The measure reached 66.7 %: 6.7 points above the prediction of 60 %")
    await expect(study.locator(".run-signal").last).to_contain_text("run chart")
    await check_page(page, "goal-pdsa-study")

    # Act: adapt, and the next cycle opens with the plan prefilled (its prediction is the team's to make).
    await page.get_by_label("Adapt").check()
    await page.get_by_label("Rationale").fill("Keep the warm-ups, add a second CFA check before spring.")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator("#cycle-1 .phase")).to_have_text("Closed")
    await expect(page.locator("#cycle-1 .act")).to_contain_text("Adapt")
    await expect(page.locator("#cycle-2 .phase")).to_have_text("Plan")
    await expect(page.locator("#cycle-2")).to_contain_text("Ten minutes of fraction warm-ups every day")
    await check_page(page, "goal-pdsa-act")
    await page.goto(team_url)
    await expect(page.locator("#team-goals")).to_contain_text("Grade 4 team: 80 % proficient on the CFA")
    await context.close()

    # Another district's leader: the team and the goal answer exactly like missing ones.
    other = await District(gateway, stack.settings).build()
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "school_leader", other.id, other.schools[0], name="Mr Park")
    for url in (team_url, f"{team_url}/edit", goal_url, f"{goal_url}/edit"):
        response = await page.goto(url)
        assert response is not None and response.status == 404, url
    await context.close()
