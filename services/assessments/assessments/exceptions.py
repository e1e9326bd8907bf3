"""Expected failures of the assessments service, each with its status (rendered as problem+json)."""

from __future__ import annotations

from plc_shared.errors import Conflict, NotFound, PreconditionFailed, UnprocessableContent


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
