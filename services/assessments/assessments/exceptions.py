"""Expected failures of the assessments service, each with its status (rendered as problem+json).

Each constructor takes the ids and values the failure is about and builds the message from them. Another
district's object raises the same NotFound as a missing one (same status, same body).
"""

from __future__ import annotations

from typing import Any

from plc_shared.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    UnprocessableContent,
)

Errors = list[dict[str, Any]]


class AssessmentNotFound(NotFound):
    def __init__(self, assessment_id: str) -> None:
        super().__init__(f"Assessment '{assessment_id}' was not found.")


class StandardNotFound(NotFound):
    def __init__(self, standard_id: str) -> None:
        super().__init__(f"Standard '{standard_id}' was not found.")


class ScoreScaleNotFound(NotFound):
    def __init__(self, scale_id: str) -> None:
        super().__init__(f"Score scale '{scale_id}' was not found.")


class ClassNotFound(NotFound):
    def __init__(self, class_id: str) -> None:
        super().__init__(f"Class '{class_id}' was not found.")


class RosterObjectNotFound(NotFound):
    """A OneRoster rostering object (or a gradebook category) that is missing or outside the caller's scope."""

    def __init__(self, label: str, sourced_id: str) -> None:
        super().__init__(f"{label} '{sourced_id}' was not found.")


class StaffNotFound(NotFound):
    def __init__(self, staff_id: str) -> None:
        super().__init__(f"Staff member '{staff_id}' was not found.")


class StudentNotFound(NotFound):
    def __init__(self, student_id: str) -> None:
        super().__init__(f"Student '{student_id}' was not found.")


class ResultNotFound(NotFound):
    def __init__(self, assessment_id: str, student_id: str, attempt: int) -> None:
        super().__init__(
            f"No result of student '{student_id}' on assessment '{assessment_id}' (attempt {attempt})."
        )


class ResultSourcedIdNotFound(NotFound):
    def __init__(self, sourced_id: str) -> None:
        super().__init__(f"Result '{sourced_id}' was not found.")


class StandardExists(Conflict):
    def __init__(self, standard_id: str, code: str) -> None:
        super().__init__(f"Your district has a standard with id '{standard_id}' or code '{code}'.")


class AssessmentExists(Conflict):
    def __init__(self, assessment_id: str) -> None:
        super().__init__(f"Your district has an assessment '{assessment_id}'.")


class ResultSourcedIdTaken(Conflict):
    def __init__(self, sourced_id: str) -> None:
        super().__init__(f"Result sourcedId '{sourced_id}' names another student or line item.")


class InvalidLifecycle(Conflict):
    title = "Invalid lifecycle transition"

    def __init__(self, assessment_id: str, status: str, expected: str) -> None:
        super().__init__(f"Assessment '{assessment_id}' is {status}, not {expected}.")


class AssessmentNotDraft(Conflict):
    title = "Invalid lifecycle transition"

    def __init__(self, assessment_id: str, status: str) -> None:
        super().__init__(f"Assessment '{assessment_id}' is {status}; only a draft can change.")


class InvalidAssessment(UnprocessableContent):
    title = "Invalid assessment"

    def __init__(self, errors: Errors) -> None:
        super().__init__("The assessment is not consistent.", errors=errors)


class InvalidResult(UnprocessableContent):
    """One result that was not accepted, with its row-level errors (field and reason)."""

    title = "Invalid result"

    def __init__(self, errors: Errors) -> None:
        super().__init__("The result was not accepted.", errors=errors)


class ResultFieldInvalid(UnprocessableContent):
    title = "Invalid result"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__("The result is not valid.", errors=[{"field": field, "reason": reason}])


class FieldRequired(UnprocessableContent):
    """A field the OneRoster binding needs (`purpose`: what it is needed for, if not for every write)."""

    title = "Invalid result"

    def __init__(self, field: str, purpose: str | None = None) -> None:
        needed = f" to {purpose}" if purpose else ""
        super().__init__(f"{field} is required{needed}.", errors=[{"field": field, "reason": "required"}])


class NotAResultsBody(UnprocessableContent):
    title = "Invalid result"

    def __init__(self) -> None:
        super().__init__('The body must be {"results": [...]}.')


class AtomicBulkRejected(UnprocessableContent):
    title = "Invalid result"

    def __init__(self, invalid: int, received: int, errors: Errors) -> None:
        super().__init__(
            f"{invalid} of {received} rows are invalid; nothing was written (atomic=true).", errors=errors
        )


class TooManyRows(UnprocessableContent):
    title = "Too many rows"

    def __init__(self, rows: int, limit: int) -> None:
        super().__init__(f"{rows} rows: at most {limit:,} results per request.", limit=limit)


class StaleSourceWrite(Conflict):
    title = "Older than the stored result"

    def __init__(self, modified_at: str, stored_at: str) -> None:
        super().__init__(
            f"The write was modified at its source at {modified_at}; the stored result comes from a later "
            f"change ({stored_at}), so it was not applied."
        )


class StaleResult(PreconditionFailed):
    title = "The result has changed"

    def __init__(self, current_etag: str) -> None:
        super().__init__(f"The result is at {current_etag}; reload it and try again.")


class NoResultToMatch(PreconditionFailed):
    title = "The result has changed"

    def __init__(self) -> None:
        super().__init__("If-Match was given but there is no current result to match.")


class IdempotencyKeyReused(UnprocessableContent):
    title = "Idempotency key reused"

    def __init__(self, key: str) -> None:
        super().__init__(f"The Idempotency-Key '{key}' was used for a different request body.")


class InvalidPackage(UnprocessableContent):
    title = "Invalid OneRoster package"

    def __init__(self, reason: str, errors: Errors) -> None:
        super().__init__(reason, errors=errors)


class UnknownLearningObjectives(UnprocessableContent):
    title = "Invalid line item"

    def __init__(self, objective_ids: list[str]) -> None:
        super().__init__(
            "The line item names learning objectives the district does not have.",
            errors=[
                {"field": "learningObjectiveSet", "reason": f"unknown standard '{lo}'"}
                for lo in objective_ids
            ],
        )


class LineItemMaximumFixed(Conflict):
    title = "The line item is published"

    def __init__(self, sourced_id: str, maximum: float) -> None:
        super().__init__(
            f"Line item '{sourced_id}' is published and its results were scored against it: its maximum is "
            f"{maximum:g}."
        )


class LineItemStandardsFixed(Conflict):
    title = "The line item is published"

    def __init__(self, sourced_id: str, standards: list[str]) -> None:
        super().__init__(
            f"Line item '{sourced_id}' is published and its results were scored against it: it measures "
            f"{standards or 'no standard'}."
        )


class ScoredResultKept(Conflict):
    title = "A scored result is not replaced by one without a score"

    def __init__(self, sourced_id: str, score: float) -> None:
        super().__init__(
            f"Result '{sourced_id}' has the score {score:g}; a write without a score does not replace it "
            "(DELETE it, or send it with status tobedeleted, to remove it)."
        )


class OneRosterQueryInvalid(BadRequest):
    """A `filter`, `sort`, `orderBy` or `fields` the gradebook binding rejects; `code_minor` is the spec's
    imsx_codeMinorFieldValue (invalid_filter_field, invalid_selection_field, invaliddata)."""

    title = "Invalid query parameter"
    code_minor = "invaliddata"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code_minor=self.code_minor)


class FilterInvalid(OneRosterQueryInvalid):
    code_minor = "invalid_filter_field"

    def __init__(self, predicate: str) -> None:
        super().__init__(f"'{predicate}' is not field<op>'value'")


class FilterFieldUnknown(OneRosterQueryInvalid):
    code_minor = "invalid_filter_field"

    def __init__(self, field: str, allowed: frozenset[str]) -> None:
        super().__init__(f"'{field}' cannot be filtered on; fields: {', '.join(sorted(allowed))}")


class FilterValueInvalid(OneRosterQueryInvalid):
    code_minor = "invaliddata"

    def __init__(self, value: str, kind: str) -> None:
        super().__init__(f"filter value: '{value}' is not a {kind}")


class SortFieldUnknown(OneRosterQueryInvalid):
    code_minor = "invaliddata"  # 1.2 has no invalid_sort_field (1.1 did)

    def __init__(self, field: str) -> None:
        super().__init__(f"'{field}' cannot be sorted on")


class OrderByInvalid(OneRosterQueryInvalid):
    code_minor = "invaliddata"  # 1.2 has no invalid_sort_field (1.1 did)

    def __init__(self, value: str) -> None:
        super().__init__(f"orderBy is asc or desc, not '{value}'")


class SelectionFieldUnknown(OneRosterQueryInvalid):
    code_minor = "invalid_selection_field"

    def __init__(self, unknown: list[str], allowed: frozenset[str]) -> None:
        super().__init__(
            f"unknown field(s) {', '.join(unknown) or '(none given)'}; fields: {', '.join(sorted(allowed))}"
        )


class BodyWrapperMissing(BadRequest):
    def __init__(self, wrapper: str) -> None:
        super().__init__(f'The body must be {{"{wrapper}": {{...}}}}.')


class PackageTooLarge(PayloadTooLarge):
    """A zip whose members would unpack beyond the limit, or unpack suspiciously far (a zip bomb): refused
    from its directory, before anything is decompressed."""

    def __init__(self, member: str, unpacked: int, packed: int, limit: int) -> None:
        super().__init__(
            f"'{member}' would unpack to {unpacked:,} bytes from {packed:,}; a package may unpack to at most "
            f"{limit:,} bytes in all, at most {MAX_RATIO} times its packed size per file.",
            limit=limit,
        )


MAX_RATIO = 200  # CSV compresses 5-20x; past this a member is a bomb, not a roster


class QualityNoteMissing(UnprocessableContent):
    title = "A note is needed"

    def __init__(self, assessment_id: str, rows: list[tuple[int, str]]) -> None:
        keys = ", ".join(k for _, k in rows)
        super().__init__(
            f"Assessment '{assessment_id}': a key not met says what the team will change ({keys}).",
            errors=[
                {"location": ["body", "ratings", i, "note"], "message": "say what the team will change"}
                for i, _ in rows
            ],
        )
