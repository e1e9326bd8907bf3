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
