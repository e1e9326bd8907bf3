"""Every form's answer to a refusal, in one place: the API's problem+json (or the web app's own 422) becomes the
same form again, with what was typed, and each message beside its field, named by the field's label.

A problem's `errors[].location` is the API's path to the value (`["body", "ratings", "culture", "smart_goals",
"evidence"]`); a form names its fields by labels and, where the API's path is not the field's name, by an alias
(`{"ratings.culture.smart_goals.evidence": "evidence-culture-smart_goals"}`). The longest known end of the path
wins, so `body.evidence` and `body.ratings.x.evidence` both find a field called `evidence`. Messages that belong to
no field of the form stay in the summary at the top, with the problem's title."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plc_shared.errors import ProblemError

from web.client import ApiError

# Pydantic's wording for the usual refusals, as a person reads them (the others are shown as they come).
PLAIN = {
    "missing": "is required",
    "string_too_short": "cannot be blank",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
    "date_from_datetime_parsing": "must be a date",
    "date_parsing": "must be a date",
    "float_type": "must be a number",
    "uuid_parsing": "choose one of the options",
    "uuid_type": "choose one of the options",
}
WHERE = {"body", "query", "path", "form", "header"}


@dataclass
class FormProblem:
    status: int
    title: str
    detail: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)  # form field name → messages
    labels: dict[str, str] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)  # messages about no field of the form

    def on(self, name: str) -> str:
        """The messages about one field ("" when none): shown beside it, its aria-describedby."""
        return "; ".join(self.fields.get(name, []))

    @property
    def summary(self) -> list[str]:
        """Every message, each named by its field's label ("Evidence: cannot be blank")."""
        named = [f"{self.labels.get(n, n)}: {m}" for n, messages in self.fields.items() for m in messages]
        return named + self.other


def form_problem(
    problem: ProblemError | Mapping[str, Any],
    labels: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> FormProblem:
    """The problem as the form shows it. `labels`: form field name → its label; `aliases`: API path (dotted,
    without `body`) → form field name, for the fields whose name is not the API's."""
    body = problem.to_problem() if isinstance(problem, ProblemError) else dict(problem)
    found = FormProblem(
        status=int(body.get("status") or 422),
        title=str(body.get("title") or "Not saved"),
        detail=str(body.get("detail") or ""),
        labels=dict(labels),
    )
    for error in body.get("errors") or []:
        location = [str(p) for p in error.get("location") or error.get("loc") or []]
        message = _plain(error)
        name = field_for(location, labels, aliases)
        if name is None:
            where = " · ".join(p.replace("_", " ") for p in location if p not in WHERE)
            found.other.append(f"{where}: {message}" if where else message)
        else:
            found.fields.setdefault(name, []).append(message)
    if not found.fields and not found.other and found.detail:
        found.other.append(found.detail)
    return found


def field_for(
    location: list[str], labels: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The form field a location is about: the longest end of the path the form knows, else None."""
    aliases = aliases or {}
    path = [p for p in location if p not in WHERE]
    for start in range(len(path)):
        key = ".".join(path[start:])
        if key in aliases:
            return aliases[key]
        if key in labels:
            return key
    return None


def _plain(error: Mapping[str, Any]) -> str:
    return PLAIN.get(str(error.get("type")), "") or str(error.get("message") or error.get("msg") or "")


# The setup pages' simpler use: a refusal a person can fix re-renders the form, each message under its field.
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
        message = _plain(error) or error.get("reason")
        if names and message and names[-1] != "body":
            out.setdefault(names[-1], str(message))
    return out
