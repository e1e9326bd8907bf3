"""CSRF: every unsafe request under /app carries a token bound to the browser's session.

The token is an HMAC (key from WEB_SESSION_SECRET) of the session cookie's id, or, before sign-in, of a
random pre-session id in its own cookie (`plc_csrf`: the sign-in form is protected too, against login CSRF).
A page puts it in every form and htmx sends it as `X-CSRFToken`; a request is refused unless the token it
carries is the one of the cookie it carries. A token taken from another browser, or kept across a sign-out
or a new sign-in, does not match; a cookie planted by someone else (cookie tossing) does not help them either,
because they cannot make its token without the secret while the victim's session id stays in the victim's
browser. (asgi-csrf, used before, signed a random token that was not tied to the session, and a form body it
could not decode was a 500 that also broke the gateway's pooled connection for the next user's POST.)

Bodies are read defensively: a form that is not UTF-8, a multipart body without a boundary or that does not
parse is a 400 problem; a body over the limit a 413; the token must come before any file of a multipart form
(so an upload is checked without being held in memory). The body read is replayed to the app unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl

from plc_shared.errors import BadRequest, Forbidden, PayloadTooLarge, ProblemError, problem_response
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.auth import COOKIE_PATH, SESSION_COOKIE

PRESESSION_COOKIE = "plc_csrf"
FORM_FIELD = "csrftoken"
HEADER = b"x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SCOPE_KEY = "csrftoken"  # scope[SCOPE_KEY]() is the page's token (web.pages.csrf_token)
MAX_FORM_BYTES = 1_048_576  # what the gateway lets through for a non-bulk body anyway
MAX_BEFORE_TOKEN = 65_536  # a multipart form's token is its first field: this is plenty


class _Found(Exception):
    def __init__(self, token: bytes) -> None:
        self.token = token


class _FileFirst(Exception):
    pass


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app, self.secure = app, secure
        self._key = hashlib.sha256(b"plc-web csrf\0" + secret.encode()).digest()

    def token(self, binding: str) -> str:
        mac = hmac.new(self._key, binding.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(COOKIE_PATH):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        binding = cookies.get(SESSION_COOKIE) or cookies.get(PRESESSION_COOKIE)
        new_binding = None if binding else secrets.token_urlsafe(32)
        used = False

        def page_token() -> str:
            nonlocal used
            used = True
            return self.token(binding or new_binding)  # type: ignore[arg-type]

        scope = {**scope, SCOPE_KEY: page_token}
        if scope["method"] not in SAFE_METHODS:
            try:
                receive = await self._check(scope, receive, binding)
            except ProblemError as problem:
                await send_problem(scope, send, problem)
                return
        await self.app(scope, receive, self._setting_cookie(send, new_binding, lambda: used))

    def _setting_cookie(self, send: Send, new_binding: str | None, used: Callable[[], bool]) -> Send:
        """The pre-session cookie goes out with the first page that shows a token."""
        if new_binding is None:
            return send

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and used():
                attributes = f"{PRESESSION_COOKIE}={new_binding}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax"
                cookie = (attributes + ("; Secure" if self.secure else "")).encode("latin-1")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        return sending

    async def _check(self, scope: Scope, receive: Receive, binding: str | None) -> Receive:
        """The receive the app gets (replaying what was read), once the request's token matches."""
        if not binding:
            raise Forbidden("Your browser sent no cookie with this form; reload the page and retry.")
        expected = self.token(binding).encode()
        headers = dict(scope["headers"])
        if hmac.compare_digest(headers.get(HEADER, b""), expected):
            return receive
        content_type, options = parse_options_header(headers.get(b"content-type", b""))
        if content_type == b"application/x-www-form-urlencoded":
            sent, messages = await _urlencoded_token(receive)
        elif content_type == b"multipart/form-data":
            sent, messages = await _multipart_token(receive, options.get(b"boundary"))
        else:
            raise Forbidden("This request carries no form security token; reload the page and retry.")
        if not hmac.compare_digest(sent, expected):
            raise Forbidden("The form's security token is missing or stale; reload the page and retry.")
        return _replay(messages, receive)


async def _urlencoded_token(receive: Receive) -> tuple[bytes, list[Message]]:
    messages, body = await _read(receive, MAX_FORM_BYTES)
    try:
        fields = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=10_000
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The form could not be read: it is not valid UTF-8 form data.") from exc
    return next((v.encode() for k, v in fields if k == FORM_FIELD), b""), messages


async def _multipart_token(receive: Receive, boundary: bytes | None) -> tuple[bytes, list[Message]]:
    if not boundary:
        raise BadRequest("The form could not be read: a multipart body needs a boundary.")
    parser = MultipartParser(boundary, callbacks=_TokenFinder().callbacks())
    messages: list[Message] = []
    size, more = 0, True
    try:
        while more:
            if size > MAX_BEFORE_TOKEN:
                return b"", messages  # no token among the first fields: refused as a mismatch
            message = await _receive(receive)
            messages.append(message)
            chunk = message.get("body", b"")
            size, more = size + len(chunk), message.get("more_body", False)
            parser.write(chunk)
        parser.finalize()
    except _Found as found:
        return found.token, messages
    except _FileFirst as exc:
        raise Forbidden("The form's security token must come before its files; reload the page.") from exc
    except FormParserError as exc:
        raise BadRequest("The form could not be read: the multipart body is malformed.") from exc
    return b"", messages


class _TokenFinder:
    """python-multipart's streaming parser, told to stop at the token field, or at a file before it."""

    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.field, self.value = b"", b""
        self.name, self.data = None, bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.begin,
            "on_header_field": lambda data, start, end: setattr(self, "field", self.field + data[start:end]),
            "on_header_value": lambda data, start, end: setattr(self, "value", self.value + data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def begin(self) -> None:
        self.headers, self.name, self.data = {}, None, bytearray()

    def header_end(self) -> None:
        self.headers[self.field.lower()] = self.value.strip()
        self.field, self.value = b"", b""

    def headers_finished(self) -> None:
        _disposition, options = parse_options_header(self.headers.get(b"content-disposition"))
        if b"name" not in options:  # RFC 7578 4.2: every part names its field
            raise FormParserError("a part without a name")
        if b"filename" in options:
            raise _FileFirst()
        self.name = options[b"name"]

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.name == FORM_FIELD.encode():
            self.data += data[start:end]

    def part_end(self) -> None:
        if self.name == FORM_FIELD.encode():
            raise _Found(bytes(self.data))


async def _read(receive: Receive, limit: int) -> tuple[list[Message], bytes]:
    messages, body, more = [], b"", True
    while more:
        message = await _receive(receive)
        messages.append(message)
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            raise PayloadTooLarge(f"The form is larger than {limit} bytes.")
    return messages, body


async def _receive(receive: Receive) -> Message:
    message = await receive()
    if message["type"] != "http.request":  # the client went away: nothing to answer
        raise BadRequest("The request ended before its body did.")
    return message


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _cookies(scope: Scope) -> dict[str, str]:
    """Starlette's lenient parser (a malformed Cookie header is never an error); every Cookie header."""
    raw = "; ".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"cookie")
    return cookie_parser(raw) if raw else {}


async def send_problem(scope: Scope, send: Send, problem: ProblemError) -> None:
    """Refusals as RFC 9457 problem+json."""
    response = problem_response(problem.status, problem.to_problem(scope["path"]), problem.headers)

    async def receive() -> Message:  # pragma: no cover - a JSONResponse never reads the request
        return {"type": "http.disconnect"}

    await response(scope, receive, send)
