"""Browser-test helpers: headless Chromium from the system (Debian's `chromium`, never a downloaded build),
the axe-core check every page must pass, and screenshots in a git-ignored folder."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

SCREENSHOTS = Path(os.environ.get("PLC_SCREENSHOTS", ".plc/screenshots"))
BLOCKING = ("serious", "critical")
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def chromium_path() -> str:
    """The system's Chromium (CHROMIUM_PATH, else `chromium` on PATH); .ci/run installs it when missing."""
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("Chromium is not installed: `apt-get install -y chromium` (as .ci/run does)")
    return found


async def axe_violations(page: Any) -> list[dict]:
    """The serious and critical WCAG violations axe-core finds on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(
        page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


async def screenshot(page: Any, name: str) -> Path:
    await asyncio.to_thread(SCREENSHOTS.mkdir, parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def sign_in(
    page: Any, base: str, role: str, district: str, school: str = "", classes: str = "", name: str = ""
) -> None:
    """Through the dev sign-in page: pick a role, a district, schools and classes."""
    await page.goto(f"{base}/app/signin")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Role").select_option(role)
    await page.get_by_label("District id").fill(district)
    await page.get_by_label("School ids").fill(school)
    await page.get_by_label("Class ids").fill(classes)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/app/")


async def check_page(page: Any, name: str) -> None:
    """No serious or critical axe violation at laptop and tablet widths; a screenshot at each."""
    for width, viewport in VIEWPORTS.items():
        await page.set_viewport_size(viewport)
        await screenshot(page, f"{name}-{width}")
        violations = await axe_violations(page)
        assert violations == [], f"{name} at {width} width: {violations}"
    await page.set_viewport_size(VIEWPORTS["laptop"])


def web_settings(database_url: str, **overrides: Any) -> Any:
    """Settings of a web app for tests on `database_url` (its `plc_web` sessions), dev auth, a gateway nowhere
    unless `gateway_url` is given."""
    from plc_shared.settings import AuthSettings

    from web.config import Settings

    values = {
        "auth": AuthSettings(environment="dev"),
        "database_url": database_url,
        "log_level": "WARNING",
        "gateway_url": "http://127.0.0.1:9",
        **overrides,
    }
    return Settings(**values)
