"""The security headers of every /app answer, redirects on the public address, and templates the policy can
hold (no inline script, no event-handler attributes, no inline style, no eval for htmx)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from plc_shared.testing import serve_app
from web.headers import CSP, _with_edge_headers
from web.main import create_app
from web.testing import web_settings

import web

PUBLIC = "https://plc.district.example"
TEMPLATES = Path(web.__file__).parent / "templates"


@pytest.fixture(scope="module")
async def client(web_db):
    app = create_app(web_settings(web_db, public_url=PUBLIC))
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as http:
        yield http


def policy(response: httpx.Response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))


@pytest.mark.parametrize("path", ["/app/signin", "/app/no-such-page", "/app/flags", "/app/"])
async def test_every_page_answer_carries_the_policy_and_is_never_stored(client, path):
    response = await client.get(path, headers={"Accept": "text/html"})
    csp = policy(response)
    assert (
        csp["script-src"] == "'self'" and "'unsafe-inline'" not in response.headers["content-security-policy"]
    )
    assert (
        csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'none'" and csp["base-uri"] == "'none'"
    )
    assert csp["form-action"] == "'self'" and csp["style-src"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


async def test_static_files_are_cacheable_but_not_sniffed(client):
    for path in ("/app/static/web/app.css", "/app/static/web/app.js", "/app/static/htmx/htmx.min.js"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in response.headers.get("cache-control", "")


async def test_a_csrf_refusal_carries_the_headers_too(client):
    refused = await client.post("/app/signin", data={"role": "teacher"})
    assert refused.status_code == 403 and refused.headers["cache-control"] == "no-store"
    assert refused.headers["x-content-type-options"] == "nosniff"


async def test_get_app_redirects_on_the_public_address_not_the_internal_one(client):
    response = await client.get("/app")
    assert response.status_code in (307, 308)
    assert response.headers["location"] == f"{PUBLIC}/app/"
    assert str(client.base_url.port) not in response.headers["location"]


def test_a_route_that_sets_its_own_policy_keeps_it():
    svg = [(b"content-type", b"image/svg+xml"), (b"content-security-policy", b"default-src 'none'")]
    headers = _with_edge_headers(svg, static=False)
    assert [v for k, v in headers if k == b"content-security-policy"] == [b"default-src 'none'"]
    assert (b"cache-control", b"no-store") in headers
    assert CSP.startswith("default-src 'none'")


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "htmx hx-on (eval)": re.compile(r"\shx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "inline style": re.compile(r"\sstyle\s*=|<style", re.I),
    "htmx js: values": re.compile(r"hx-(vals|headers)\s*=\s*['\"]js:", re.I),
}


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_nothing_the_policy_forbids(template):
    text = (TEMPLATES / template).read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], f"{template}: {found}"


def test_htmx_runs_without_eval_inline_styles_or_script_tags():
    base = (TEMPLATES / "base.html").read_text()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', base)[1]
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
    assert '"allowScriptTags": false' in config
