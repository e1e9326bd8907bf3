"""CSRF refusals as RFC 9457 problem+json (asgi-csrf does the double-submit check itself)."""

from __future__ import annotations

from asgi_csrf import error_messages
from plc_shared.errors import Forbidden, problem_response
from starlette.types import Message, Scope, Send


async def send_csrf_failed(scope: Scope, send: Send, message_id: object) -> None:
    reason = error_messages.get(message_id) or "CSRF validation failed"  # type: ignore[call-overload]
    problem = Forbidden(
        f"The form's security token is missing or stale ({reason}); reload the page and retry."
    )
    response = problem_response(403, problem.to_problem(scope["path"]))

    async def receive() -> Message:  # pragma: no cover - a JSONResponse never reads the request
        return {"type": "http.disconnect"}

    await response(scope, receive, send)
