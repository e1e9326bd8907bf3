"""A teacher of class A cannot see or change anything of class B's students, by link or by id.

Class B is a class of the same school. Its student Dan Brown has flags, an intervention with a progress point.
Signed in as the teacher of class A, the browser follows every link the pages give (flags, data meeting: Dan is
not on them), then types the addresses of Dan's pages (student, assignment: the 404 page of an id nobody
has, without his name) and posts every form of Dan's data with a valid CSRF token (progress, exit, resolve,
assign: the same 404 page), and nothing of Dan's changed. Her own student's pages work all along."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def _class_b(stack, district) -> tuple[str, str]:
    """Class B in the same school as class A, with Dan Brown enrolled."""
    school, class_b = district.schools[0], f"{district.id}-cB"
    dan = f"{class_b}-dan"
    records = {
        "classes": [{"sourced_id": class_b, "title": "Class B", "school_id": school}],
        "students": [
            {"sourced_id": dan, "school_ids": [school], "given_name": "Dan", "family_name": "Brown"}
        ],
        "enrollments": [
            {
                "sourced_id": f"e-{dan}",
                "class_id": class_b,
                "school_id": school,
                "user_id": dan,
                "role": "student",
            }
        ],
    }
    for kind, rows in records.items():
        answer = await district.put(f"/assessments/roster/{kind}", {"records": rows})
        assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text
    return class_b, dan


async def _dans_plan(stack, district, intervention: dict, dan: str) -> dict:
    """Once interventions has Dan's flags: he is assigned the school's intervention, with one progress point."""
    admin = district.token(Role.DISTRICT_ADMIN)
    start = date.today() - timedelta(weeks=2)
    plan = {
        "intervention_id": intervention["id"],
        "student_id": dan,
        "start_on": start.isoformat(),
        "planned_weeks": 6,
        "champion": "t-b",
        "baseline": 20,
        "goal": 70,
        "goal_date": (start + timedelta(weeks=6)).isoformat(),
    }
    found: list[dict] = []

    async def assigned() -> bool:
        record = await stack.gateway.get(f"{IV}/students/{dan}", headers=admin)
        if record.status_code != 200 or not record.json()["open_flags"]:
            return False
        made = await stack.gateway.post(f"{IV}/assignments", json=plan, headers=admin)
        assert made.status_code == 201, made.text
        found.append({"assignment": made.json()["id"], "flag": record.json()["open_flags"][0]["id"]})
        return True

    assert await eventually(assigned, timeout_s=20, interval_s=0.3)
    point = {"measured_on": date.today().isoformat(), "score": 35}
    path = f"{IV}/assignments/{found[0]['assignment']}/progress"
    assert (await stack.gateway.post(path, json=point, headers=admin)).status_code == 200
    return found[0]


async def _dans_data(stack, district, dan: str) -> dict:
    """Everything of Dan's the interventions service holds, as the district admin reads it (a flag's age
    aside: it grows by the second)."""
    answer = await stack.gateway.get(f"{IV}/students/{dan}", headers=district.token(Role.DISTRICT_ADMIN))
    assert answer.status_code == 200
    record = answer.json()
    for flag in record["open_flags"] + record["resolved_flags"]:
        flag.pop("age_days")
    return record


async def test_a_teacher_of_class_a_cannot_see_or_change_class_bs_students_by_link_or_by_id(stack, browser):
    district, assessment, intervention = await stack.seed_district()
    school, class_a = district.schools[0], district.classes[0]
    _class_b_id, dan = await _class_b(stack, district)
    ana = f"{class_a}-st0"
    for student in (ana, dan):
        await stack.post_result(district, assessment, student, 2)  # below the cut on both standards
    dans = await _dans_plan(stack, district, intervention, dan)
    before = await _dans_data(stack, district, dan)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "teacher", district.id, school, class_a, name="Ms Rivera")

    # By link: her flags and her data meeting name her students, never Dan.
    await page.goto(f"{stack.base}/app/flags?school_id={school}")
    await expect(page.locator("#open-flags").get_by_role("link", name="Ana Lopez").first).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("Dan Brown")
    assert dan not in await page.content()
    csrf = await page.locator("input[name=csrftoken]").first.get_attribute("value")
    await page.goto(f"{stack.base}/app/meetings/{assessment['id']}")
    await expect(page.locator("table.below").first.get_by_role("link", name="Ana Lopez")).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text("Dan Brown")
    assert dan not in await page.content()

    # By id: Dan's pages are the 404 page of an id nobody has, without his name.
    for address, nobody in (
        (f"/app/students/{dan}", "/app/students/nobody-here"),
        (f"/app/assignments/{dans['assignment']}", f"/app/assignments/{uuid.uuid4()}"),
    ):
        missing = await page.goto(stack.base + nobody)
        missing_text = (await page.locator("main").inner_text()).replace(nobody.rsplit("/", 1)[1], "<id>")
        answer = await page.goto(stack.base + address)
        assert answer is not None and missing is not None and answer.status == missing.status == 404, address
        text = await page.locator("main").inner_text()
        assert text.replace(address.rsplit("/", 1)[1], "<id>") == missing_text, address
        await expect(page.locator("body")).not_to_contain_text("Dan Brown")
    await check_page(page, "scope-other-class-404")

    # Changes by id, with a valid CSRF token from her own page: each is the 404 page, nothing of Dan's moves.
    forms = {
        f"/app/assignments/{dans['assignment']}/progress": {"measured_on": date.today().isoformat(), "score": "90"},
        f"/app/assignments/{dans['assignment']}/exit": {
            "exited_on": date.today().isoformat(), "reason": "Goal met", "evidence": "e", "to_tier": "1",
        },
        f"/app/flags/{dans['flag']}/resolve": {"back": f"school_id={school}", "reason": "retaught"},
        f"/app/flags/{dans['flag']}/assign": {
            "back": f"school_id={school}", "student_id": dan, "standard_id": assessment["standards"][0],
            "intervention_id": intervention["id"], "baseline": "20", "goal": "70",
        },
    }  # fmt: skip
    for address, form in forms.items():
        answer = await page.request.post(
            stack.base + address, form={**form, "csrftoken": csrf or ""}, headers={"Accept": "text/html"}
        )
        assert answer.status == 404, (address, answer.status, (await answer.text())[:300])
        assert "Dan Brown" not in await answer.text()
    assert await _dans_data(stack, district, dan) == before

    # Her own student's pages work: the refusals are scope, not a broken page.
    answer = await page.goto(f"{stack.base}/app/students/{ana}")
    assert answer is not None and answer.status == 200
    await expect(page.get_by_role("heading", level=1, name="Ana Lopez")).to_be_visible()
    await context.close()
