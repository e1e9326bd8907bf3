"""`plc demo` against a running stack (the web tests' stack: four services, gateway, web app): through the API it
builds a labelled district in which every kind of object exists, flags raised by the interventions service from
the posted results; a district admin who signs in sees its schools and CFAs. A second run does nothing, and
production refuses it."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.async_api import expect
from plc_shared import cli, demo
from plc_shared.auth import Role, mint_dev_token
from web.testing import VIEWPORTS, check_page, sign_in

IV, GV, RV = "/interventions/v1", "/goals/v1", "/reviews/v1"


async def test_plc_demo_builds_every_kind_of_object_through_the_api(stack, browser):
    district, started = f"demo-{uuid.uuid4().hex[:6]}", time.monotonic()
    assert await demo.run(stack.base, district=district, say=lambda line: None)
    assert time.monotonic() - started < 60
    get = _reader(stack, district)

    schools = await get("/assessments/roster/schools")
    assert sorted(s["name"] for s in schools) == sorted(demo.SCHOOLS.values())
    assert all("(demo)" in s["name"] for s in schools)
    assert len(await get("/assessments/roster/classes")) == 6
    standards = await get("/assessments/standards")
    assert len(standards) == 4 and sum(bool(s["essential_for"]) for s in standards) == 2
    assert {a["id"] for a in await get("/assessments/assessments")} == set(demo.CFAS)
    results = await get("/assessments/assessments/demo-cfa-1/results")
    assert any(r["attempt"] == 2 for r in results)  # retakes
    assert len(await get("/gateway/api-keys")) == 1  # the SIS key that posted them

    for school in demo.SCHOOLS:
        flags = await get(f"{IV}/flags", school_id=school)
        assert any(f["kind"] == "support" for f in flags)  # raised by the interventions service
        assert {i["tier"] for i in await get(f"{IV}/schools/{school}/interventions")} == {1, 2, 3}
        teams = await get(f"{GV}/schools/{school}/teams")
        assert {t["kind"] for t in teams} == {"leadership", "collaborative"}
        goals = await get(f"{GV}/schools/{school}/goals")
        assert len(goals) == 2 and {g["status"] for g in goals} == {"active"}
        assert any(g["team_id"] for g in goals)
        school_goal = next(g for g in goals if not g["team_id"])
        cycles = await get(f"{GV}/goals/{school_goal['id']}/cycles")
        assert [c["phase"] for c in cycles] == ["closed", "plan"]  # Plan-Do-Study-Act, then the next one
    assignments = await _assignments(get)
    assert assignments and all(len(p["points"]) == 5 for p in assignments)
    reviews = await get(f"{RV}/schools/demo-lincoln/reviews")
    assert [r["status"] for r in reviews] == ["finalized"] * 3

    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "district_admin", district, name="Demo admin")
    await expect(page.get_by_role("link", name="Flags at Lincoln Elementary (demo)")).to_be_visible()
    await expect(page.get_by_role("link", name=demo.CFAS["demo-cfa-1"][0], exact=True)).to_be_visible()
    await check_page(page, "demo-home")
    await context.close()

    assert not await demo.run(stack.base, district=district, say=lambda line: None)  # there already


async def _assignments(get) -> list[dict]:
    """Every assignment's progress, found through the flagged students' intervention records."""
    out = []
    for school in demo.SCHOOLS:
        for flag in await get(f"{IV}/flags", school_id=school):
            record = await get(f"{IV}/students/{flag['student_id']}")
            for a in record.get("assignments", []):
                out.append(await get(f"{IV}/assignments/{a['id']}/progress"))
    return out


def _reader(stack, district: str):
    token = mint_dev_token(stack.settings.auth, role=Role.DISTRICT_ADMIN, district_id=district)

    async def get(path: str, **params):
        response = await stack.gateway.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.text)
        return response.json()

    return get


def test_plc_demo_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("AUTH_ENVIRONMENT", "production")
    with pytest.raises(SystemExit, match="refused"):
        cli.main(["demo", "--gateway", "http://127.0.0.1:9"])
