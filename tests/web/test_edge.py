"""The edge in a real browser, through the gateway: the pages work under their Content-Security-Policy (no
violation reported while a teacher signs in, runs a data meeting and watches the live flags page poll; the
htmx swaps of the assignment and import forms run under it in test_assignment.py and test_import.py), and
sign-out ends the session for the cookie the browser had: put back, it opens nothing."""

from __future__ import annotations

from playwright.async_api import expect
from plc_shared.auth import Role
from plc_shared.testing import eventually
from web.testing import VIEWPORTS, sign_in

IV = "/interventions/v1"
POLL_MS = 2_000  # WEB_POLL_INTERVAL_S's default, which the stack's web app runs with
# Installed before any page script: every CSP violation the browser reports, kept for the test to read.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


async def test_the_pages_work_under_their_policy_and_sign_out_ends_the_session(stack, browser):
    district, assessment, _ = await stack.seed_district()
    school, klass = district.schools[0], district.classes[0]
    await stack.post_result(district, assessment, f"{klass}-st0", 2)  # below the cut: a flag

    async def flagged() -> bool:
        admin = district.token(Role.DISTRICT_ADMIN)
        found = await stack.gateway.get(f"{IV}/flags", params={"school_id": school}, headers=admin)
        return any(f["student_id"] == f"{klass}-st0" for f in found.json())

    assert await eventually(flagged, timeout_s=20)
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    await context.add_init_script(WATCH_CSP)
    page = await context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    response = await page.goto(f"{stack.base}/app")  # no trailing slash: redirected on the public address
    assert page.url == f"{stack.base}/app/signin" and response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    await sign_in(page, stack.base, "teacher", district.id, school, klass, name="Ms Rivera")
    await page.get_by_role("link", name="Data meetings").first.click()
    await page.get_by_role("link", name="Fractions CFA").first.click()
    await expect(page.locator("table.below").first).to_contain_text("Ana Lopez")
    await page.get_by_role("link", name="Flags").first.click()
    await expect(page.locator("#open-flags")).to_contain_text("Ana Lopez")
    await page.wait_for_timeout(POLL_MS + 500)  # htmx polls the changes feed once at least
    assert await page.evaluate("window.__csp") == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

    session = next(c for c in await context.cookies() if c["name"] == "plc_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/app"
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{stack.base}/app/signin")
    await context.add_cookies([session])  # the old cookie, put back (or copied before sign-out)
    await page.goto(f"{stack.base}/app/flags")
    await expect(page).to_have_url(f"{stack.base}/app/signin?next=/app/flags")
    await context.close()
