"""Issue 24 point 7: each role is offered only what it may open. A reviewer was offered Flags and Data meetings,
which answered 403. For every role of the sign-in page: the main navigation holds exactly the role's links
(web.nav), each answers 200 for that role, and the pages it is not offered answer 403 or show nothing."""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from plc_shared.auth import Role
from web.nav import NAV, nav_for
from web.testing import VIEWPORTS, check_page, sign_in

EXPECTED = {
    "teacher": ["Data meetings", "Flags", "Goals", "Reviews"],
    "school_leader": ["Data meetings", "Flags", "Goals", "Reviews"],
    "district_admin": ["Data meetings", "Flags", "Goals", "Reviews", "Import"],
    "reviewer": ["Goals", "Reviews"],
    "analyst": ["Data meetings", "Goals", "Reviews"],
}


@pytest.mark.parametrize("role", list(EXPECTED))
async def test_every_nav_link_of_a_role_answers_200_for_it(stack, browser, role):
    district, _, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    schools = "" if Role(role) in (Role.DISTRICT_ADMIN, Role.ANALYST) else school
    classes = klass if role == "teacher" else ""
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, role, district.id, schools, classes, name=f"A {role}")
    nav = page.get_by_role("navigation", name="Main")
    links = nav.get_by_role("link")
    await expect(links).to_have_text(EXPECTED[role])
    assert [link.label for link in nav_for(role)] == EXPECTED[role]
    for link in nav_for(role):
        await nav.get_by_role("link", name=link.label).click()
        await page.wait_for_url(f"{stack.base}{link.path}**")
        answer = await page.request.get(f"{stack.base}{link.path}")
        assert answer.status == 200, (role, link.path, answer.status)
        await expect(page.locator("h1")).to_be_visible()
        await expect(nav.get_by_role("link", name=link.label)).to_have_attribute("aria-current", "page")
    if role == "reviewer":
        await check_page(page, "nav-reviewer")
        await page.goto(f"{stack.base}/app/")  # the start page offers no flags or meetings either
        await expect(page.locator("main")).not_to_contain_text("Flags at")
        await expect(page.locator("main")).not_to_contain_text("Data meetings")
        assert (await page.request.get(f"{stack.base}/app/flags")).status == 403
    offered = {link.path for link in nav_for(role)}
    assert {link.path for link in NAV} - offered == {
        link.path for link in NAV if link.label not in EXPECTED[role]
    }
    await context.close()
