"""Forms: the API's problem shown on the form it is about, with what was typed kept.

A setup form posts, the page calls the API; when the API refuses (a 409 or 422 problem+json), the page renders
the same form again, status 422, the values as typed, the problem at the top (`_problem.html`) and each error
next to its field: `field_errors` keys them by the last name of the error's location (`body.items.0.code`
→ `code`, so one form field shows it)."""

from __future__ import annotations

from typing import Any

from web.client import ApiError

FORM_STATUSES = (400, 409, 422)  # refusals a person can fix on the form; anything else is an error page


def refusal(exc: ApiError) -> bool:
    return exc.status in FORM_STATUSES


def field_errors(problem: ApiError | dict[str, Any] | None) -> dict[str, str]:
    """The problem's messages by field name (the last non-numeric name of each error's location)."""
    if problem is None:
        return {}
    errors = problem.errors if isinstance(problem, ApiError) else problem.get("errors")
    out: dict[str, str] = {}
    for error in errors or []:
        names = [str(n) for n in error.get("location") or error.get("loc") or [] if not str(n).isdigit()]
        message = error.get("message") or error.get("reason") or error.get("msg")
        if names and message and names[-1] != "body":
            out.setdefault(names[-1], str(message))
    return out
