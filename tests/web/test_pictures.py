"""Pictures where people would rather look than read (issue 24, point 6): the data meeting's distribution chart
and student-by-standard grid (with the grid as a table that says each level in words), its tables as CSV with the
page's scope, and the agenda's print stylesheet; every page passes axe at laptop and tablet widths.

The CSV is read back with Python's csv module (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from pathlib import Path

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, check_page, screenshot, sign_in

IV = "/interventions/v1"


def read_csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so that Excel reads the names as UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


async def test_the_data_meeting_draws_the_scores_and_the_level_grid_exports_its_tables_and_prints_an_agenda(
    stack, browser
):
    gateway, base = stack.gateway, stack.base
    district, assessment, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    # Cuts: 70 / 90 on the whole; standard 1 (O1) 70 / 90, standard 2 (O2) its own 80 / 95.
    await stack.post_result(district, assessment, f"{klass}-st0", 2)  # 20 %: below the cut on both
    await stack.post_result(district, assessment, f"{klass}-st1", 10)  # 100 %: mastery on both
    await stack.post_result(district, assessment, f"{klass}-st2", 8)  # 80 %: proficient on both, no mastery

    async def analysed() -> bool:
        found = await gateway.get(
            f"/assessments/assessments/{assessment['id']}/analysis",
            params={"school_id": school},
            headers=district.token(Role.DISTRICT_ADMIN),
        )
        return found.status_code == 200 and found.json()["scored"] == 3

    assert await eventually(analysed, timeout_s=20)

    context = await browser.new_context(viewport=VIEWPORTS["laptop"], accept_downloads=True)
    page = await context.new_page()
    await sign_in(page, base, "teacher", district.id, school, klass, name="Ms Rivera")
    await page.goto(f"{base}/app/meetings/{assessment['id']}")
    await expect(page.get_by_role("heading", name="Data meeting: Fractions CFA")).to_be_visible()

    # The whole assessment's figures say what they count, beside the per-standard ones.
    await expect(page.locator("#counts")).to_contain_text(
        "on the whole assessment: 67 % proficient (cut 70 %)"
    )
    await expect(page.locator("#counts")).to_contain_text("33 % at mastery (cut 90 %)")

    # The distribution: a titled image whose description says every band and both cuts in words.
    spread = page.get_by_role("img", name="Scores on Fractions CFA")
    await expect(spread).to_have_accessible_description(
        re.compile(
            r"^3 students scored\. Proficiency cut 70 %, mastery cut 90 %\..*"
            r"20-30 %: 1; 80-90 %: 1; 90-100 %: 1\.$"
        )
    )
    await expect(spread.locator("text").filter(has_text="Proficiency cut 70 %")).to_have_count(1)
    await expect(spread.locator("text").filter(has_text="Score on the assessment (%)")).to_have_count(1)

    # The grid: a picture with the level's letter in each cell, and a table with the level in words.
    grid = page.get_by_role("img", name="Level per student and standard")
    await expect(grid).to_have_accessible_description(
        re.compile(
            r"^6 scores of 3 students on 2 standards: "
            r"2 below the cut, 2 proficient, 2 mastery\."
        )
    )
    await expect(grid.locator("text").filter(has_text=re.compile(r"^B 20 %$"))).to_have_count(2)
    await expect(grid.locator("text").filter(has_text="Level on the standard")).to_have_count(1)
    table = page.locator("table#grid")
    for name, level, score in (("Ana Lopez", "Below the cut", "20 %"), ("Ben Okafor", "Mastery", "100 %"),
                               ("Cleo Nguyen", "Proficient", "80 %")):  # fmt: skip
        row = table.locator("tr", has=page.get_by_role("rowheader", name=name))
        await expect(row.locator("td")).to_have_text([f"{level} {score}"] * 2)

    # The tables stay inside the page at both widths (the two tables overlapped at 1366 px).
    for viewport in VIEWPORTS.values():
        await page.set_viewport_size(viewport)
        main = await page.locator("main").bounding_box()
        for box in [await t.bounding_box() for t in await page.locator("main table").all()]:
            assert (
                box
                and main
                and box["x"] >= main["x"]
                and box["x"] + box["width"] <= main["x"] + main["width"] + 1
            )
    await page.set_viewport_size(VIEWPORTS["laptop"])
    await check_page(page, "pictures-meeting")

    # CSV: each table as the page shows it, names included, for the signed-in user only.
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Download the student-by-standard grid (CSV)").click()
    download = await started.value
    assert download.suggested_filename == "Fractions-CFA-grid.csv"
    rows = read_csv(await asyncio.to_thread(Path(await download.path()).read_bytes))
    assert rows[0][0] == "Student" and [c.rsplit(".", 1)[1] for c in rows[0][1:]] == [
        "NF1-cfa (level, %)", "NF2-cfa (level, %)"], rows[0]  # fmt: skip
    assert rows[1:] == [["Ana Lopez", "Below the cut (20 %)", "Below the cut (20 %)"],
                        ["Ben Okafor", "Mastery (100 %)", "Mastery (100 %)"],
                        ["Cleo Nguyen", "Proficient (80 %)", "Proficient (80 %)"]]  # fmt: skip
    exported = f"{base}/app/meetings/{assessment['id']}/export.csv"
    below = read_csv(await (await page.request.get(f"{exported}?table=below")).body())
    assert below[0] == ["Standard", "Student", "Points", "Max points", "Score %", "Attempt", "Attempts"]
    assert sorted(r[1] for r in below[1:]) == ["Ana Lopez", "Ana Lopez"]
    standards = read_csv(await (await page.request.get(f"{exported}?table=standards")).body())
    assert [r[3:] for r in standards[1:]] == [["67", "67", "33"], ["67", "67", "33"]]
    assert (await page.request.get(f"{exported}?table=secrets")).status == 422

    # The agenda in print: no navigation or download links, the four questions on top.
    await page.emulate_media(media="print")
    await expect(page.locator("header.top")).to_be_hidden()
    await expect(page.get_by_role("link", name="Download the standards table (CSV)")).to_be_hidden()
    await expect(page.locator(".agenda")).to_be_visible()
    await screenshot(page, "pictures-meeting-print")
    await page.emulate_media(media="screen")
    await expect(page.locator(".agenda")).to_be_hidden()

    # Another district's user gets the same 404 for the export as for the page.
    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    answer = await stranger.request.get(f"{exported}?table=grid")
    assert answer.status == 404
    assert "Ana Lopez" not in (await answer.text())
    await other.close()
    await context.close()


async def supported_school(stack) -> tuple:
    """A school with two students flagged for support (Ana below the cut on both standards, Cleo too), Ana
    assigned the tier 2 small group, monitored and exited with the goal met, Cleo decided tier 3."""
    gateway = stack.gateway
    district, assessment, intervention = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    await stack.post_result(district, assessment, f"{klass}-st0", 2)
    await stack.post_result(district, assessment, f"{klass}-st1", 10)
    await stack.post_result(district, assessment, f"{klass}-st2", 3)
    admin, leader = district.token(Role.DISTRICT_ADMIN), district.token(Role.SCHOOL_LEADER, schools=(school,))

    async def flagged() -> bool:
        found = await gateway.get(
            f"{IV}/flags", params={"school_id": school, "kind": "support"}, headers=admin
        )
        return {f["student_id"] for f in found.json()} == {f"{klass}-st0", f"{klass}-st2"}

    assert await eventually(flagged, timeout_s=20)
    body = {"intervention_id": intervention["id"], "student_id": f"{klass}-st0", "standard_id": None,
            "start_on": "2026-09-07", "planned_weeks": 6, "champion": district.teachers[0], "baseline": 40,
            "goal": 70, "goal_date": "2026-10-19", "monitoring_every_days": 7}  # fmt: skip
    assigned = await gateway.post(f"{IV}/assignments", json=body, headers=leader)
    assert assigned.status_code == 201, assigned.text
    assignment = assigned.json()["id"]
    for week, score in enumerate([40, 55, 72]):  # 16 points a week
        point = {"measured_on": f"2026-09-{7 + 7 * week:02d}", "score": score}
        r = await gateway.post(f"{IV}/assignments/{assignment}/progress", json=point, headers=leader)
        assert r.status_code == 200, r.text
    done = {"exited_on": "2026-10-20", "reason": "goal met", "evidence": "weekly probes at 72"}
    r = await gateway.post(f"{IV}/assignments/{assignment}/exit", json=done, headers=leader)
    assert r.status_code == 200, r.text
    r = await gateway.put(f"{IV}/students/{klass}-st2/tier", json={"tier": 3, "reason": "x"}, headers=leader)
    assert r.status_code == 200, r.text
    return district, school, klass


async def test_a_leader_sees_the_school_dashboard_in_pictures_and_tables_and_exports_them(stack, browser):
    base = stack.base
    district, school, _ = await supported_school(stack)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "school_leader", district.id, school, name="Dr Okafor")
    await page.get_by_role(
        "link", name=f"Dashboard of {school}"
    ).click()  # the test roster names it by its id
    await expect(page.get_by_role("heading", name=f"School dashboard: {school}")).to_be_visible()

    tiers = page.get_by_role("img", name=f"Tiers at {school}, week by week")
    await expect(tiers).to_have_accessible_description(
        re.compile(r"^\d+ students\. Week ending .* tier 3 1 \(")
    )
    await expect(tiers.locator("text").filter(has_text="Tier in force")).to_have_count(1)
    await expect(page.locator("#tiers-table tbody tr")).to_have_count(12)

    flags = page.get_by_role("img", name="Open support flags by grade and class")
    await expect(flags).to_have_accessible_description(re.compile(r": 2 students, \d+ flags\.$"))
    row = page.locator("#flags-by-class tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("td").first).to_have_text("04")
    await expect(row.locator("td").nth(1)).to_have_text("2")

    works = page.get_by_role("img", name="Exits with the goal met, per intervention")
    await expect(works).to_have_accessible_description(
        "Exits with the goal met per intervention: Fractions small group: 1 of 1 exits with the goal met."
    )
    small_group = page.locator(
        "#effectiveness tr", has=page.get_by_role("rowheader", name="Fractions small group")
    )
    await expect(small_group).to_contain_text("1 of 1 (100 %)")
    await expect(small_group).to_contain_text("16 points")
    await check_page(page, "pictures-dashboard")

    exported = f"{base}/app/dashboard/export.csv?school_id={school}"
    effectiveness = read_csv(await (await page.request.get(f"{exported}&table=effectiveness")).body())
    assert effectiveness[0][:5] == ["Intervention", "Assigned", "Exited", "Exited with the goal met",
                                    "Goal met % of exits"]  # fmt: skip
    assert effectiveness[1][:7] == ["Fractions small group", "1", "1", "1", "100", "1", "16.0"]
    flags_csv = read_csv(await (await page.request.get(f"{exported}&table=flags")).body())
    assert flags_csv[0][0] == "Grade" and flags_csv[1][0] == "04" and flags_csv[1][2] == "2"
    tiers_csv = read_csv(await (await page.request.get(f"{exported}&table=tiers")).body())
    assert len(tiers_csv) == 13 and tiers_csv[-1][3] == "1"  # this week: Cleo at tier 3

    other = await browser.new_context(viewport=VIEWPORTS["laptop"])
    stranger = await other.new_page()
    await sign_in(stranger, base, "district_admin", f"other-{uuid.uuid4().hex[:6]}", name="Other admin")
    for url in (f"{base}/app/dashboard?school_id={school}", f"{exported}&table=flags"):
        answer = await stranger.request.get(url)
        assert answer.status == 404, url
    await other.close()
    await context.close()


async def test_the_review_evidence_panel_says_every_figure_in_words(stack, browser):
    base = stack.base
    district, school, _ = await supported_school(stack)
    await stack.program_school(district)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "reviewer", district.id, school, name="Dr Reyes")
    await page.goto(f"{base}/app/reviews?school_id={school}")
    await page.get_by_label("Kind").select_option("site")
    await page.get_by_role("button", name="Start a review").click()
    await expect(page.get_by_role("heading", name=re.compile(f"^Site review of {school}, "))).to_be_visible()
    panel = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Evidence from data")))

    async def support_seen() -> bool:  # the reviews service learns flags and assignments from the events
        await page.reload()
        return "Students flagged for support" in await panel.inner_text()

    assert await eventually(support_seen, timeout_s=20, interval_s=1)
    figures = dict(
        zip(
            await panel.locator("dt").all_inner_texts(),
            await panel.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert figures["Students flagged for support"] == "2"
    assert re.fullmatch(r"\d+(\.\d+)? days?", figures["Median time from a flag to an intervention"]), figures
    assert figures["Flagged students with an intervention"] == "50 %"
    text = await panel.inner_text()
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", text), "no UUID"
    assert "{" not in text and "_" not in text
    beside = page.locator('fieldset[data-indicator="respond.identification"] .from-data')
    await expect(beside).to_contain_text("Median time from a flag to an intervention: ")
    await check_page(page, "pictures-review-evidence")
    await context.close()
