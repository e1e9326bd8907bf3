"""Issue 25, point 3: the flags page shows a page of open flags at a time (its Next link carries the API's cursor,
the filters kept) and says how many it shows; the CSV export follows the API's pages to the last, so it has every
open flag; a cursor the API refuses gives a message and a way to the first page; past the resolved flags it reads,
"resolved in the last two weeks" says when it shows only the first of them. The web app's page sizes are shrunk for the test (4 flags
a page, the export reading 2 at a time, 1 resolved flag read) so six open flags make several pages."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.client import Api, TooLong
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


async def test_a_leader_pages_through_the_open_flags_and_the_export_has_them_all(stack, browser, monkeypatch):
    district, assessment, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    for student, points in (
        ("st0", 2),
        ("st1", 10),
        ("st2", 1),
    ):  # 2 standards each: support, enrichment, support
        await stack.post_result(district, assessment, f"{klass}-{student}", points)
    admin = district.token(Role.DISTRICT_ADMIN)
    every: list[dict] = []

    async def flagged() -> bool:
        found = await stack.gateway.get(f"{IV}/flags", params={"school_id": school}, headers=admin)
        every[:] = found.json()
        return len(every) == 6

    assert await eventually(flagged, timeout_s=20)
    sizes = stack.web.flags_page_size, stack.web.export_page_size
    stack.web.flags_page_size, stack.web.export_page_size = 4, 2
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    try:
        page = await context.new_page()
        await sign_in(page, stack.base, "school_leader", district.id, school, name="Alicia Grant")
        await page.goto(f"{stack.base}/app/flags?school_id={school}")
        rows = page.locator("#open-flags tbody tr")
        await expect(rows).to_have_count(4)
        await expect(page.locator("#open-count")).to_have_text("4 shown")
        await expect(page.locator("#open-paging")).to_contain_text("there are more on the next page")
        await expect(page.get_by_role("link", name="First page")).to_have_count(0)
        await check_page(page, "flags-paged")
        first = [await r.get_attribute("data-flag") for r in await rows.all()]
        await page.get_by_role("link", name="Next page").click()
        await expect(rows).to_have_count(2)
        await expect(page.locator("#open-paging")).to_contain_text("this is the last page")
        await expect(page.get_by_role("link", name="Next page")).to_have_count(0)
        second = [await r.get_attribute("data-flag") for r in await rows.all()]
        assert first + second == [f["id"] for f in every], "each flag once, oldest first"

        # The filters are kept from page to page: support flags only (4), in pages of 4, then 0 more.
        await page.goto(f"{stack.base}/app/flags?school_id={school}&kind=support&layout=students")
        await expect(page.locator("#open-paging")).to_contain_text("another page")
        await page.get_by_role("link", name="Next page").click()
        assert "kind=support" in page.url and "layout=students" in page.url and "after=" in page.url
        await expect(page.get_by_text("No more open flags.")).to_be_visible()
        await page.get_by_role("link", name="First page").click()
        assert "after=" not in page.url and "kind=support" in page.url
        await expect(page.locator("table.by-student tbody tr")).to_have_count(2)  # Ana and Cleo

        # The export follows the API's pages (2 flags each): every open flag, once.
        answer = await page.request.get(f"{stack.base}/app/flags/export.csv?school_id={school}")
        assert answer.status == 200
        exported = list(csv.reader(io.StringIO((await answer.body()).decode().removeprefix("\ufeff"))))
        assert len(exported) == 1 + 6
        assert sorted((r[0], r[3]) for r in exported[1:]) == sorted(
            (name, kind)
            for name, kind in [("Ana Lopez", "support")] * 2
            + [("Ben Okafor", "enrichment")] * 2
            + [("Cleo Nguyen", "support")] * 2
        )

        # The helper stops with an error past its most pages, rather than cut the list silently.
        api = Api(stack.gateway, admin["Authorization"].removeprefix("Bearer "))
        assert [f["id"] for f in await api.every(f"{IV}/flags", school_id=school, limit=2)] == [
            f["id"] for f in every
        ]
        with pytest.raises(TooLong, match="more than 2 pages of 2 items"):
            await api.every(f"{IV}/flags", school_id=school, limit=2, max_pages=2)

        # A cursor the API refuses: a message and the way to the first page, not a 500.
        answer = await page.goto(f"{stack.base}/app/flags?school_id={school}&kind=support&after=not-a-cursor")
        assert answer is not None and answer.status == 422
        await expect(page.get_by_role("alert")).to_contain_text("This page of flags cannot be shown")
        await check_page(page, "flags-bad-cursor")
        await page.get_by_role("link", name="Go to the first page of flags").click()
        await expect(rows).to_have_count(4)
        assert "kind=support" in page.url

        # More resolved flags than the page reads for "resolved in the last two weeks" (1 here): it says so.
        await expect(page.locator("#resolved-cut")).to_have_count(0)
        support = next(f for f in every if f["kind"] == "support")  # the page's filter: support flags
        done = await stack.gateway.post(
            f"{IV}/flags/{support['id']}/resolve", json={"reason": "retaught"}, headers=admin
        )
        assert done.status_code == 200, done.text
        monkeypatch.setattr("web.flags.service.RESOLVED_READ", 1)
        await page.reload()
        await expect(page.locator("#resolved-h .count")).to_have_text("1 or more")
        await expect(page.locator("#resolved-cut")).to_contain_text(
            "resolved in the last two weeks: this list shows the 1 of them opened first"
        )
    finally:
        stack.web.flags_page_size, stack.web.export_page_size = sizes
        await context.close()


async def test_the_dashboard_counts_every_open_support_flag_of_a_school_of_more_than_a_thousand(
    stack, browser
):
    """The school dashboard counted open support flags per class from one page of 1,000 of them: a school with
    more showed too few. It now asks the service for the counts of all of them (one call)."""
    district, assessment, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    for student, points in (("st0", 2), ("st2", 1)):  # two support flags each, the consumer's
        await stack.post_result(district, assessment, f"{klass}-{student}", points)
    admin = district.token(Role.DISTRICT_ADMIN)
    api = Api(stack.gateway, admin["Authorization"].removeprefix("Bearer "))

    async def flagged() -> bool:
        return len(await api.every(f"{IV}/flags", school_id=school, kind="support")) == 4

    assert await eventually(flagged, timeout_s=20)
    # 1,200 more open support flags: 60 students on 20 standards, ten of them in a second class too
    other, now = f"{klass}-other", datetime.now(UTC)
    rows = [
        (uuid.uuid4(), f"{klass}-x{i:02d}", district.id, school, [klass, other] if i < 10 else [klass],
         f"std{k:02d}", "support", "open", "below_cut", uuid.uuid4(), 1, assessment["id"], 10.0, 70.0, now)
        for i in range(60) for k in range(20)
    ]  # fmt: skip
    columns = ["id", "student_id", "district_id", "school_id", "class_ids", "standard_id", "kind", "status", "rule",
               "result_id", "result_revision", "assessment_id", "score", "cut", "evidence_recorded_at"]  # fmt: skip
    conn = await asyncpg.connect(stack.interventions.database_url.replace("+asyncpg", ""))
    try:
        await conn.copy_records_to_table("flags", columns=columns, records=rows)
    finally:
        await conn.close()
    every = await api.every(f"{IV}/flags", school_id=school, kind="support", limit=1000)
    assert len(every) == 1204
    wanted = {  # the whole list counted: class → (students, flags)
        c: (
            len({f["student_id"] for f in every if c in f["class_ids"]}),
            sum(c in f["class_ids"] for f in every),
        )
        for c in (klass, other)
    }
    assert wanted == {klass: (62, 1204), other: (10, 200)}

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    try:
        page = await context.new_page()
        await sign_in(page, stack.base, "school_leader", district.id, school, name="Dr Okafor")
        answer = await page.request.get(
            f"{stack.base}/app/dashboard/export.csv?school_id={school}&table=flags"
        )
        assert answer.status == 200
        exported = list(csv.reader(io.StringIO((await answer.body()).decode().removeprefix("\ufeff"))))
        assert exported[0] == ["Grade", "Class", "Students with an open support flag", "Open support flags"]
        counts = {r[1]: (int(r[2]), int(r[3])) for r in exported[1:]}
        assert sorted(counts.values()) == sorted(wanted.values())
        await page.goto(f"{stack.base}/app/dashboard?school_id={school}")
        await expect(page.locator("#flags-by-class tbody tr")).to_have_count(2)
        await expect(page.locator("#flags-by-class")).to_contain_text("1204")
    finally:
        await context.close()
