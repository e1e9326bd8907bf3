"""Issue 24 point 4: uploading a non-zip, an empty zip or nothing on the import page showed nothing. Each now
says what is wrong beside the package field (its accessible description) and in the report's place."""

from __future__ import annotations

import io
import re
import zipfile

from assessments.testing import District
from playwright.async_api import expect
from web.testing import VIEWPORTS, check_page, sign_in


def _empty_zip() -> bytes:
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


async def test_a_bad_upload_says_why_beside_the_package_field(stack, browser):
    district = await District(stack.gateway, stack.settings).build()
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, "district_admin", district.id, name="Dana Admin")
    await page.goto(f"{stack.base}/app/import")
    package = page.get_by_label("Package (.zip)")
    for name, content, said in (
        ("roster.csv", b"sourcedId,name\r\nx,y\r\n", re.compile("not a zip", re.I)),
        ("empty.zip", _empty_zip(), re.compile("no manifest.csv", re.I)),
    ):
        await package.set_input_files(
            files=[{"name": name, "mimeType": "application/zip", "buffer": content}]
        )
        await page.get_by_role("button", name="Upload").click()
        await expect(page.get_by_role("alert")).to_contain_text(said)
        await expect(page.get_by_label("Package (.zip)")).to_have_accessible_description(said)
        await check_page(page, f"import-{name.split('.')[0]}")
    await context.close()
