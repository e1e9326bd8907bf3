"""A school's review history with its implementation level over time, recognition readiness in plain words, and
the district-implementation analytics with the reviews service's charts inlined, schools by name; another
district's user sees none of it."""

from __future__ import annotations

import re

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role, mint_dev_token
from web.testing import VIEWPORTS, check_page, sign_in

RV = "/reviews/v1"
NAMES = {"s1": "Maple Grove Elementary", "s2": "Cedar Ridge Middle"}


async def _named_schools(district: District) -> None:
    """The SIS names the district's schools (the roster is where names come from)."""
    orgs = [
        {"sourced_id": s, "name": NAMES[s.rsplit("-", 1)[1]], "type": "school", "parent_id": district.id}
        for s in district.schools
    ]
    assert (await district.put("/assessments/roster/orgs", {"records": orgs})).status_code == 200


async def _finalized(stack, district: District, school: str, kind: str, on: str, level: int) -> dict:
    """A review rated at `level` on every indicator, submitted and finalized through the gateway."""
    token = mint_dev_token(
        stack.settings.auth,
        role="reviewer",
        district_id=district.id,
        school_ids=[school],
        subject="rev-reyes",
    )
    headers, gw = {"Authorization": f"Bearer {token}"}, stack.gateway
    review = (
        await gw.post(f"{RV}/schools/{school}/reviews", json={"kind": kind, "on": on}, headers=headers)
    ).json()
    rubric = (await gw.get(f"{RV}/rubrics/{review['rubric_id']}", headers=headers)).json()
    ratings = {
        i["id"]: {"level": level, "notes": "", "evidence": ["PLC minutes"]}
        for strand in rubric["strands"]
        for i in strand["indicators"]
    }
    rated = await gw.put(f"{RV}/reviews/{review['id']}/ratings", json={"ratings": ratings}, headers=headers)
    assert rated.status_code == 200, rated.text
    assert (await gw.post(f"{RV}/reviews/{review['id']}/submit", headers=headers)).status_code == 200
    finalized = await gw.post(f"{RV}/reviews/{review['id']}/finalize", headers=headers)
    assert finalized.status_code == 200, finalized.text
    return finalized.json()


async def test_history_readiness_and_analytics_with_names_and_another_district_sees_none(stack, browser):
    gateway, base, settings = stack.gateway, stack.base, stack.settings
    district = await District(gateway, settings).build()
    await _named_schools(district)
    school = await stack.program_school(district)
    interim = await _finalized(stack, district, school, "interim", "2026-09-15", 1)
    site = await _finalized(stack, district, school, "site", "2027-03-10", 2)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()

    # A reviewer: the school's history, every review with its level, and the level over time.
    await sign_in(page, base, "reviewer", district.id, school, name="Dr Reyes")
    await page.goto(f"{base}/app/reviews")
    await page.get_by_role("navigation", name="Reviews").get_by_role("link", name="History").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review history of Maple Grove Elementary"
    )
    chart = page.get_by_role("img", name="Implementation level over time: Maple Grove Elementary")
    # drawn in the page from the reviews' JSON, titled with the roster's name: each review's mean on its point,
    # its date on the axis
    await expect(chart.locator("text").filter(has_text=re.compile(r"^\d\.\d$"))).to_have_text(["1.0", "2.0"])
    await expect(chart.locator("text").filter(has_text="2026-09-15")).to_have_count(1)
    await expect(chart).to_have_accessible_description(
        re.compile("2027-03-10 site review: mean rating 2.0 of 3")
    )
    timeline = page.locator("#over-time li")
    await expect(timeline).to_have_count(2)
    await expect(timeline.nth(0)).to_contain_text("2026-09-15 Interim review Partial")
    await expect(timeline.nth(1)).to_contain_text("2027-03-10 Site review Proficient")
    await expect(timeline.nth(1)).to_contain_text("up 1.0 since 2026-09-15")
    rows = page.locator("#history tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(1)).to_contain_text("Site review")
    await expect(rows.nth(1)).to_contain_text("2026-27")
    await expect(rows.nth(1)).to_contain_text("Proficient")
    await expect(rows.nth(1)).to_contain_text(
        f"{site['scores']['overall']['n']} of {site['scores']['overall']['n']} (100 %)"
    )
    await expect(rows.nth(0)).to_contain_text("0 of")
    await expect(rows.nth(1)).to_contain_text("rev-reyes")
    await check_page(page, "reviews-history")
    await page.get_by_role("link", name="2026-09-15").click()
    await expect(page.locator("#review-status")).to_contain_text("finalized")
    assert interim["id"] in page.url

    # Readiness, in plain words: what the school still lacks for Exemplary.
    await page.goto(f"{base}/app/reviews/readiness")
    card = page.locator(f'li.school[data-school="{school}"]')
    await expect(card.get_by_role("heading")).to_have_text("Maple Grove Elementary")
    await expect(card).to_contain_text("Not recognized yet. Next: Exemplary.")
    missing = card.locator("ul.missing li")
    await expect(missing).to_contain_text(["The school's reflective narrative for 2026-27"])
    await expect(missing).to_have_count(
        2
    )  # every indicator is Proficient: only the narrative and results lack
    await check_page(page, "reviews-readiness")
    await context.close()

    # A school leader sees the same, and once the narrative is in, it is no longer listed as missing.
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "school_leader", district.id, school, name="Ms Ortiz")
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    narrative = {"text": "We built common assessments in every team and met weekly on the data."}
    put = await gateway.put(f"{RV}/schools/{school}/narratives/2026", json=narrative, headers=leader)
    assert put.status_code == 204, put.text
    await page.goto(f"{base}/app/reviews/readiness")
    card = page.locator(f'li.school[data-school="{school}"]')
    await expect(card.locator("ul.missing li")).to_have_count(1)
    await expect(card.locator("ul.missing")).not_to_contain_text("narrative")
    await page.goto(f"{base}/app/reviews/history")
    await expect(page.locator("#history tbody tr")).to_have_count(2)
    await context.close()

    # A district admin: the analytics with their charts, and the program schools by name.
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "district_admin", district.id, name="Dr Kim")
    await page.goto(f"{base}/app/reviews")
    await page.get_by_role("navigation", name="Reviews").get_by_role("link", name="History").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review history of Maple Grove Elementary"
    )
    await expect(page.locator("#history tbody tr")).to_have_count(2)  # the district's first program school
    await page.get_by_role("link", name="District analytics").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("District implementation analytics")
    charts = page.locator("figure.chart svg.chart")
    await expect(charts).to_have_count(3)
    for name in ("district-implementation", "implementation-achievement", "trends"):
        chart = page.locator(f"#figure-{name} svg")
        assert (await chart.get_attribute("role")) == "img"
        assert await chart.get_attribute("aria-labelledby") == f"chart-{name}-title"
        assert await chart.locator("desc").count() == 1
    trends = page.get_by_role("img", name="Strand points by school year (n = 1 site review)")
    await expect(trends.locator("text").filter(has_text=re.compile("^Collaborative teams: "))).to_have_count(
        1
    )
    await expect(trends.locator("tspan").filter(has_text="2026-27")).to_have_count(1)  # the school year
    caption = page.locator("#figure-district-implementation figcaption")
    await expect(caption).to_contain_text("Not enough schools to compare: a group is empty.")  # one school
    table = page.locator("#program-schools")
    await expect(table).to_contain_text("Maple Grove Elementary")
    await expect(table).not_to_contain_text(school)  # the name, not the id
    await expect(page.locator("#trends")).to_contain_text("Collaborative teams")
    assert await page.locator("figure.chart script, figure.chart [onload]").count() == 0
    await check_page(page, "reviews-analytics")
    await page.set_viewport_size(VIEWPORTS["tablet"])
    box = await page.locator("#figure-trends svg").bounding_box()
    assert box and box["width"] <= VIEWPORTS["tablet"]["width"]  # the chart fits the tablet's width
    await context.close()

    # Another district's admin sees none of it: the history is a 404, readiness and analytics are empty.
    other = await District(gateway, settings).build()
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "district_admin", other.id, name="Mr Other")
    response = await page.goto(f"{base}/app/reviews/history?school_id={school}")
    assert response.status == 404
    response = await page.goto(f"{base}/app/reviews/{site['id']}")
    assert response.status == 404
    await page.goto(f"{base}/app/reviews/readiness")
    await expect(page.locator("main")).to_contain_text("No program school is visible to you.")
    await expect(page.locator("main")).to_contain_text("No school has been recognized yet.")
    await page.goto(f"{base}/app/reviews/analytics")
    await expect(page.locator("figure.chart svg.chart")).to_have_count(3)
    main = page.locator("main")
    await expect(
        page.get_by_role("img", name="Strand points by school year (n = 0 site reviews)")
    ).to_be_visible()
    for word in ("Maple Grove", school, "Collaborative teams: 2026-27"):
        await expect(main).not_to_contain_text(word)
    await check_page(page, "reviews-analytics-other-district")
    await context.close()
