"""Issue 24: every page of the app, for every role, on the demo district (`plc demo`, so pages have content).
Signed in as each role, a crawler follows the navigation and every link on every page it reaches (GET pages
under /app/ only; not sign-out, which is a form, nor downloads), and on each page: no 5xx, and axe-core finds no
serious or critical violation at 1366 and 820 px (web.testing.check_page). Pages that differ only by the ids in
their path or the values of their query are one kind of page (the first one reached is opened), which keeps the
walk bounded; each kind is run through axe once, by the first role that reaches it (the roles' versions of a page
differ in its navigation and the links the role may follow, all of which the other roles' checks cover), so the
five walks take about three minutes. Every link followed must open (no 4xx either: a role is not offered a link
to a page it may not open). It prints how many pages it opened and checked per role."""

from __future__ import annotations

import re
import time
import uuid
from collections import deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from plc_shared import demo
from web.testing import VIEWPORTS, check_page, sign_in

SCHOOL = "demo-lincoln"
ROLES = {  # role: (schools, classes, name) as the dev sign-in takes them
    "teacher": (SCHOOL, f"{SCHOOL}-g4-a", "Maria Rivera"),
    "school_leader": (SCHOOL, "", "Alicia Grant"),
    "district_admin": ("", "", "Demo admin"),
    "reviewer": (SCHOOL, "", "Dr Reyes"),
    "analyst": ("", "", "Ana Lyst"),
}
SKIP = re.compile(r"^/app/(signout|signin)|\.csv$|/export|/live$")
MAX_PAGES = 60  # per role: the app has about 30 kinds of page; more means the key below lets ids through
AXED: set[tuple[str, tuple[str, ...]]] = set()  # the kinds of page axe has passed (any role)


def page_key(url: str) -> tuple[str, tuple[str, ...]]:
    """A page's kind: its path with id-like segments (any digit, or long) as {id}, and its query's keys."""
    parts = urlsplit(url)
    path = "/".join("{id}" if re.search(r"\d", s) or len(s) > 24 else s for s in parts.path.split("/"))
    return path, tuple(sorted({k for k, _ in parse_qsl(parts.query)}))


@pytest.fixture(scope="module")
async def demo_district(stack) -> str:
    district = f"demo-{uuid.uuid4().hex[:6]}"
    assert await demo.run(stack.base, district=district, say=lambda line: None)
    return district


@pytest.mark.parametrize("role", list(ROLES))
async def test_every_page_a_role_reaches_answers_and_passes_axe(stack, browser, demo_district, role):
    started = time.monotonic()
    schools, classes, name = ROLES[role]
    context = await browser.new_context(viewport=VIEWPORTS["laptop"])
    page = await context.new_page()
    await sign_in(page, stack.base, role, demo_district, schools, classes, name=name)
    origin = stack.base
    queue, seen, opened, checked, refused = deque([(f"{origin}/app/", "sign-in")]), set(), [], [], []
    while queue:
        url, linked_from = queue.popleft()
        key = page_key(url)
        if key in seen:
            continue
        seen.add(key)
        response = await page.goto(url)
        assert response is not None, url
        assert response.status < 500, (role, url, response.status)
        if response.status >= 400:  # a link to a page the role may not open: reported below
            refused.append((url, response.status, linked_from))
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        opened.append(url)
        assert len(opened) <= MAX_PAGES, f"{role}: more than {MAX_PAGES} kinds of page: {sorted(seen)}"
        if key not in AXED:
            slug = re.sub(r"[^a-z0-9]+", "-", key[0].lower()).strip("-") or "home"
            await check_page(page, f"crawl-{role}-{slug}")
            AXED.add(key)
            checked.append(url)
        hrefs = await page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href.split('#')[0])"
        )
        for href in hrefs:
            path = urlsplit(href).path
            if href.startswith(f"{origin}/app/") and not SKIP.search(path) and page_key(href) not in seen:
                queue.append((href, url.removeprefix(origin)))
    await context.close()
    took = time.monotonic() - started
    print(f"\n{role}: {len(opened)} kinds of page opened, {len(checked)} new to axe checked at 1366 and 820 px, "
          f"{len(AXED)} kinds checked so far, in {took:.0f} s")  # fmt: skip
    for url, status, linked_from in refused:
        print(f"  {status} {url.removeprefix(origin)} (linked from {linked_from})")
    assert opened and not refused, refused
