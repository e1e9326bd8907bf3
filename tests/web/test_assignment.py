"""A teacher follows an intervention on its page: records two progress points (the table and the chart show
them), sees the API's problem for a score out of range, exits the student; the data meeting and the flags
name the class's teacher from the roster's staff. Another district's user gets a 404."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, screenshot, sign_in

IV = "/interventions/v1"


async def _name_the_teacher(district, given: str, family: str) -> str:
    """The roster's staff record of the first class's teacher (the seeded class lists the id only)."""
    teacher = district.teachers[0]
    record = {
        "sourced_id": teacher,
        "given_name": given,
        "family_name": family,
        "roles": ["teacher"],
        "school_ids": [district.schools[0]],
    }
    answer = await district.put("/assessments/roster/staff", {"records": [record]})
    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text
    return teacher


async def _assign(stack, district, intervention: dict, student: str, champion: str) -> dict:
    start = date.today() - timedelta(weeks=3)
    body = {
        "intervention_id": intervention["id"],
        "student_id": student,
        "standard_id": None,
        "start_on": start.isoformat(),
        "planned_weeks": 6,
        "champion": champion,
        "baseline": 20,
        "goal": 70,
        "goal_date": (start + timedelta(weeks=6)).isoformat(),
    }
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(district.classes[0],))
    answer = await stack.gateway.post(f"{IV}/assignments", json=body, headers=teacher)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _record(page, day: date, score: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Record progress"))
    await form.get_by_label("Date measured").fill(day.isoformat())
    await form.get_by_label("Score (%)").fill(score)
    await form.get_by_role("button", name="Record progress").click()


async def test_a_teacher_records_progress_sees_it_charted_and_exits_the_student(stack, browser):
    district, assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    teacher_id = await _name_the_teacher(district, "Maria", "Rivera")
    student = f"{klass}-st0"
    await stack.post_result(district, assessment, student, 2)  # 20 %: below the cut, flagged

    async def flagged() -> bool:
        found = await stack.gateway.get(
            f"{IV}/flags", params={"school_id": school}, headers=district.token(Role.DISTRICT_ADMIN)
        )
        return any(f["student_id"] == student for f in found.json())

    assert await eventually(flagged, timeout_s=20)
    assignment = await _assign(stack, district, intervention, student, champion=teacher_id)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "teacher", district.id, school, klass, name="Ms Rivera")

    # The data meeting and the flags name the class's teacher (the roster's staff record), not the id.
    await page.goto(f"{stack.base}/app/meetings/{assessment['id']}")
    per_teacher = page.locator("section", has=page.get_by_role("heading", name="Proficiency per teacher"))
    await expect(per_teacher.get_by_role("rowheader").first).to_contain_text("Maria Rivera")
    await expect(per_teacher).not_to_contain_text(teacher_id)
    await check_page(page, "data-meeting-teacher-names")
    await page.goto(f"{stack.base}/app/flags?school_id={school}")
    row = page.locator("#open-flags tr", has=page.get_by_role("rowheader", name="Ana Lopez")).first
    await expect(row).to_contain_text("Maria Rivera")
    await screenshot(page, "flags-teacher-names")

    # The assignment: the plan by name, no point yet.
    await page.goto(f"{stack.base}/app/assignments/{assignment['id']}")
    await expect(page.get_by_role("heading", name="Intervention progress")).to_be_visible()
    await expect(page.locator("dl.facts")).to_contain_text("Ana Lopez")
    await expect(page.locator("dl.facts")).to_contain_text("Maria Rivera")  # the champion
    await expect(page.locator("#assignment-status")).to_contain_text("Active")
    await expect(page.locator("#progress-points")).to_have_text("No progress point yet.")
    await check_page(page, "assignment-new")
    await page.evaluate("window.__sameDocument = true")

    # Two points, each swapped in with a status message; the table and the chart show them.
    first, second = date.today() - timedelta(weeks=2), date.today() - timedelta(weeks=1)
    await _record(page, first, "35")
    await expect(page.get_by_role("status")).to_contain_text("The progress point is recorded")
    await expect(page.locator("#progress-points tbody tr")).to_have_count(1)
    await _record(page, second, "52.5")
    points = page.locator("#progress-points tbody tr")
    await expect(points).to_have_count(2)
    await expect(points.nth(0)).to_contain_text(first.isoformat())
    await expect(points.nth(0)).to_contain_text("35 %")
    await expect(points.nth(1)).to_contain_text(second.isoformat())
    await expect(points.nth(1)).to_contain_text("52 %")
    # The chart is drawn in the page (inline SVG, swapped in with the points), titled with her name from the
    # roster the page read: no chart request, so her name travels in no URL.
    chart = page.get_by_role("img", name="Progress of Ana Lopez in Fractions small group")
    await expect(chart).to_have_attribute("id", "progress-chart")
    await expect(chart).to_have_accessible_description(
        re.compile(f"2 progress checks: {first.isoformat()}: 35, {second.isoformat()}: 52.5\\.")
    )
    await expect(chart.locator("text").filter(has_text=re.compile(r"^52\.5$"))).to_have_count(1)  # on its dot
    await expect(chart.locator("text").filter(has_text="Goal line: 20 → 70")).to_have_count(1)  # the legend
    assert await page.locator("img, script:not([src])").count() == 0
    await expect(page.locator("#assignment")).to_contain_text("2 progress points")
    await check_page(page, "assignment-two-points")

    # A score out of range: the API's problem is shown by the form (the browser's own check is bypassed, as
    # an older browser would), what was typed stays, nothing is recorded.
    form = page.locator("form", has=page.get_by_role("button", name="Record progress"))
    await form.evaluate("f => { f.noValidate = true; }")
    await _record(page, date.today(), "150")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Not recorded")
    await expect(alert).to_contain_text("Score (%)")
    await expect(alert).to_contain_text("less than or equal to 100")
    await expect(page.get_by_label("Score (%)")).to_have_value("150")
    await expect(page.get_by_label("Score (%)")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Score (%)")).to_have_accessible_description(
        re.compile("less than or equal to 100")
    )  # the message beside the field, tied to it
    await expect(points).to_have_count(2)
    await check_page(page, "assignment-problem")

    # Issue 24: a point dated two weeks ahead is refused (the service's 422), shown by "Date measured".
    form = page.locator("form", has=page.get_by_role("button", name="Record progress"))
    await form.evaluate("f => { f.noValidate = true; }")
    await _record(page, date.today() + timedelta(weeks=2), "90")
    await expect(page.get_by_label("Date measured")).to_have_accessible_description("not after today")
    await expect(page.get_by_label("Score (%)")).to_have_value("90")
    await expect(points).to_have_count(2)

    # Issue 24: evidence of spaces, and "Goal met" at 52.5 against a goal of 70, are refused (the service's
    # 422s), each message beside its field; what was typed stays. Then the team confirms, and the exit is made.
    exit_form = page.locator("form", has=page.get_by_role("button", name="Exit the student"))
    await exit_form.evaluate("f => { f.noValidate = true; }")
    await exit_form.get_by_label("Reason").select_option("Goal met")
    await exit_form.get_by_label("Evidence").fill("   ")
    await exit_form.get_by_role("button", name="Exit the student").click()
    exit_form = page.locator("form", has=page.get_by_role("button", name="Exit the student"))
    await expect(exit_form.get_by_label("Evidence")).to_have_accessible_description(
        re.compile("^cannot be blank")
    )
    await expect(page.get_by_role("alert")).to_contain_text("Evidence: cannot be blank")
    await exit_form.get_by_label("Evidence").fill("Two points above the trend line; 52.5 % on the last probe")
    await exit_form.get_by_label("Tier after the exit").select_option("1")
    await exit_form.get_by_role("button", name="Exit the student").click()
    exit_form = page.locator("form", has=page.get_by_role("button", name="Exit the student"))
    await expect(exit_form.get_by_label("Reason")).to_have_accessible_description(
        "the last progress point is 52.5, below the goal of 70"
    )
    await expect(exit_form.get_by_label("Reason")).to_have_value("Goal met")
    await expect(exit_form.get_by_label("Evidence")).to_have_value(re.compile("^Two points above"))
    await check_page(page, "assignment-exit-problem")
    await exit_form.get_by_label("The goal is met although the last point is below it").check()
    await exit_form.get_by_role("button", name="Exit the student").click()
    await expect(page.get_by_role("status")).to_contain_text("The student is exited from the intervention")
    await expect(page.locator("#assignment-status")).to_contain_text("Exited")
    await expect(page.locator("#assignment-status")).to_contain_text("Goal met")
    await expect(page.get_by_role("button", name="Record progress")).to_have_count(0)
    await expect(points).to_have_count(2)
    assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    await check_page(page, "assignment-exited")

    # A reload shows the same state (read from the API, not kept in the page).
    await page.reload()
    await expect(page.locator("#assignment-status")).to_contain_text("Exited")
    await expect(page.locator("#progress-points tbody tr")).to_have_count(2)
    await screenshot(page, "assignment-exited-reloaded")

    # Another district's user: the assignment does not exist for them.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, stack.base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    answer = await stranger.goto(f"{stack.base}/app/assignments/{assignment['id']}")
    assert answer is not None and answer.status == 404
    await expect(stranger.locator("body")).not_to_contain_text("Ana Lopez")
    await other.close()
    await context.close()


async def test_without_javascript_the_forms_post_and_come_back_to_the_page(stack, browser):
    district, _assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    assignment = await _assign(stack, district, intervention, f"{klass}-st1", champion="not-on-the-roster")
    context = await browser.new_context(viewport=VIEWPORTS["tablet"], java_script_enabled=False)
    page = await context.new_page()
    await sign_in(page, stack.base, "teacher", district.id, school, klass, name="Mr Okafor")
    await page.goto(f"{stack.base}/app/assignments/{assignment['id']}")
    await expect(page.locator("dl.facts")).to_contain_text("not-on-the-roster")  # no staff record: the id
    await _record(page, date.today() - timedelta(days=3), "48")
    await expect(page).to_have_url(f"{stack.base}/app/assignments/{assignment['id']}?done=progress")
    await expect(page.get_by_role("status")).to_contain_text("The progress point is recorded")
    await expect(page.locator("#progress-points tbody tr")).to_have_count(1)
    exit_form = page.locator("form", has=page.get_by_role("button", name="Exit the student"))
    await exit_form.get_by_label("Evidence").fill("Moved to a different intervention after the team met")
    await exit_form.get_by_label("Reason").select_option("Goal not met: a different intervention")
    await exit_form.get_by_role("button", name="Exit the student").click()
    await expect(page).to_have_url(f"{stack.base}/app/assignments/{assignment['id']}?done=exited")
    await expect(page.locator("#assignment-status")).to_contain_text("Exited")
    await screenshot(page, "assignment-exited-no-js-tablet")
    await context.close()
