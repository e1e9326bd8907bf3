"""A district admin uploads a OneRoster package and reads the row-level report."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

from assessments.testing import District
from playwright.async_api import expect
from plc_shared.auth import Role
from web.testing import VIEWPORTS, check_page, sign_in

IV = "/interventions/v1"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def _oneroster_package(district: str) -> bytes:
    """A school, three users with no role at all (no roles.csv, enrollment or role column: neither students nor
    staff, so skipped with why; a teacher or administrator would now be stored as staff) and two results for
    them (refused: unknown students): the report names each refused or skipped row with its file, row number
    and reason."""
    files = {
        "orgs": _csv(
            ["sourcedId", "status", "dateLastModified", "name", "type", "parentSourcedId"],
            [
                [district, "active", "", "District", "district", ""],
                [f"{district}-x1", "active", "", "Lincoln Elementary", "school", district],
            ],
        ),
        "users": _csv(
            ["sourcedId", "status", "dateLastModified", "givenName", "familyName", "grades"],
            [[f"{district}-u{n}", "active", "", "Stu", f"Dent {n}", "04"] for n in range(3)],
        ),
        "lineItems": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "classSourcedId",
                "resultValueMin",
                "resultValueMax",
            ],
            [[f"{district}-li1", "active", "", "Fractions CFA", "", "0", "20"]],
        ),
        "results": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "lineItemSourcedId",
                "studentSourcedId",
                "scoreStatus",
                "score",
                "scoreDate",
            ],
            [
                [
                    f"{district}-r0",
                    "active",
                    "",
                    f"{district}-li1",
                    f"{district}-u0",
                    "fully graded",
                    "12",
                    "2026-11-20",
                ],
                [
                    f"{district}-r1",
                    "active",
                    "",
                    f"{district}-li1",
                    f"{district}-u1",
                    "fully graded",
                    "abc",
                    "2026-11-20",
                ],
            ],
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = [
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.2"],
            *[[f"file.{n}", "bulk"] for n in files],
        ]
        archive.writestr("manifest.csv", _csv(["propertyName", "value"], manifest))
        for name, content in files.items():
            archive.writestr(f"{name}.csv", content)
    return buffer.getvalue()


async def test_a_district_admin_imports_a_oneroster_package_and_reads_the_row_level_report(
    stack, browser, tmp_path
):
    gateway, base = stack.gateway, stack.base
    district = f"d-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "oneroster.zip"
    path.write_bytes(_oneroster_package(district))
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, base, "district_admin", district, name="Ms Admin")
    await page.get_by_role("link", name="Import").click()
    await expect(page.get_by_role("heading", name="Import a OneRoster package")).to_be_visible()
    await check_page(page, "import")
    await page.get_by_label("Package (.zip)").set_input_files(str(path))
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_role("heading", name="Report of oneroster.zip")).to_be_visible(timeout=15_000)
    await expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    await expect(page.locator("#import-files")).to_contain_text("users")
    problems = page.locator("#import-problems")
    first = problems.locator("tbody tr").first.locator("td")
    await expect(first.nth(0)).to_have_text("results.csv")
    await expect(first.nth(1)).to_have_text("2")  # the CSV record number (the header is row 1)
    await expect(first.nth(3)).to_contain_text("unknown student")
    await expect(page.locator("#import-skipped")).to_contain_text("users.csv")
    await expect(page.locator("#import-skipped")).to_contain_text("neither a student nor staff (no role)")
    await check_page(page, "import-report")
    # The roster arrived: the school is there, by name, through the gateway.
    schools = await gateway.get(
        "/assessments/roster/schools",
        headers=District(gateway, stack.settings, id=district).token(Role.DISTRICT_ADMIN),
    )
    assert "Lincoln Elementary" in {s["name"] for s in schools.json()}
    await context.close()
