"""What every answer under /app carries, and the address the app believes it is served at.

- Content-Security-Policy: scripts, styles, images and XHR from this origin only; no inline script, no eval
  (the pages' own script is static/web/app.js; htmx runs with allowEval off), no inline style (htmx's indicator
  styles are off; inlined SVG charts are stripped of `style`), forms post here only, and no page may be framed
  (`frame-ancestors 'none'`, with X-Frame-Options for older browsers). A route that sets its own policy (the
  SVG charts: `default-src 'none'`) keeps it.
- X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer (URLs carry student and school ids);
  Cross-Origin-Opener-Policy and -Resource-Policy: same-origin.
- Cache-Control: no-store on everything but the static files: pages, fragments and charts show student data,
  which must not stay in a shared classroom computer's cache or a proxy's.
- The public address: the gateway forwards /app/ with its own Host, so an absolute URL the app builds (the
  trailing-slash redirect of `GET /app`) named the web app's internal address. Every request is seen as
  arriving at WEB_PUBLIC_URL's scheme and host instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.auth import COOKIE_PATH

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
STATIC_PREFIX = f"{COOKIE_PATH}/static/"


class EdgeHeaders:
    def __init__(self, app: ASGIApp, *, public_url: str) -> None:
        self.app = app
        public = urlsplit(public_url)
        self.scheme, self.host = public.scheme or "http", public.netloc.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(COOKIE_PATH):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        scope = {**scope, "scheme": self.scheme, "headers": [(b"host", self.host), *headers]}
        static = scope["path"].startswith(STATIC_PREFIX)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_edge_headers(message.get("headers", []), static)}
            await send(message)

        await self.app(scope, receive, sending)


def _with_edge_headers(headers: list, static: bool) -> list:
    names = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in ALWAYS if name not in names]
    if b"content-security-policy" not in names:
        added.append((b"content-security-policy", CSP.encode()))
    if not static:
        headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
        added.append((b"cache-control", b"no-store"))
    return [*headers, *added]
