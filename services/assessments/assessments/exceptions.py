"""Expected failures of the assessments service, each with its status (rendered as problem+json)."""

from __future__ import annotations

from plc_shared.errors import BadRequest, Conflict, NotFound, PreconditionFailed, UnprocessableContent


class AssessmentNotFound(NotFound):
    def __init__(self, assessment_id: str) -> None:
        super().__init__(f"Assessment '{assessment_id}' was not found.")


class StandardNotFound(NotFound):
    def __init__(self, standard_id: str) -> None:
        super().__init__(f"Standard '{standard_id}' was not found.")


class ResultNotFound(NotFound):
    def __init__(self, assessment_id: str, student_id: str, attempt: int) -> None:
        super().__init__(
            f"No result of student '{student_id}' on assessment '{assessment_id}' (attempt {attempt})."
        )


class InvalidLifecycle(Conflict):
    title = "Invalid lifecycle transition"


class InvalidAssessment(UnprocessableContent):
    title = "Invalid assessment"


class InvalidResult(UnprocessableContent):
    title = "Invalid result"


class TooManyRows(UnprocessableContent):
    title = "Too many rows"


class StaleSourceWrite(Conflict):
    title = "Older than the stored result"

    def __init__(self, modified_at: str, stored_at: str) -> None:
        super().__init__(
            f"The write was modified at its source at {modified_at}; the stored result comes from a later "
            f"change ({stored_at}), so it was not applied."
        )


class StaleResult(PreconditionFailed):
    title = "The result has changed"


class IdempotencyKeyReused(UnprocessableContent):
    title = "Idempotency key reused"


class InvalidPackage(UnprocessableContent):
    title = "Invalid OneRoster package"


class OneRosterQueryInvalid(BadRequest):
    """A `filter`, `sort` or `fields` the gradebook binding rejects; `code_minor` is the spec's
    imsx_codeMinorFieldValue (invalid_filter_field, invalid_sort_field, invalid_selection_field)."""

    title = "Invalid query parameter"

    def __init__(self, code_minor: str, reason: str) -> None:
        super().__init__(reason, code_minor=code_minor)


class LineItemPublished(Conflict):
    title = "The line item is published"

    def __init__(self, sourced_id: str, what: str) -> None:
        super().__init__(
            f"Line item '{sourced_id}' is published and its results were scored against it: {what}."
        )


class ScoredResultKept(Conflict):
    title = "A scored result is not replaced by one without a score"

    def __init__(self, sourced_id: str, score: float) -> None:
        super().__init__(
            f"Result '{sourced_id}' has the score {score:g}; a write without a score does not replace it "
            "(DELETE it, or send it with status tobedeleted, to remove it)."
        )
