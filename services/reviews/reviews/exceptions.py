"""Expected failures of the reviews service (rendered as problem+json by plc_shared.errors).

Each constructor takes the ids the failure is about. Another district's object raises the same NotFound as a
missing one: a caller can never tell that an id exists elsewhere.
"""

import uuid

from plc_shared.errors import Conflict, NotFound, UnprocessableContent


class SchoolNotFound(NotFound):
    title = "School not found"

    def __init__(self, school_id: str) -> None:
        super().__init__(f"No school {school_id}.")


class ProgramSchoolNotFound(NotFound):
    title = "Not a program school"

    def __init__(self, school_id: str) -> None:
        super().__init__(f"School {school_id} is not in the program.")


class RubricNotFound(NotFound):
    title = "Rubric not found"

    def __init__(self, rubric_id: uuid.UUID) -> None:
        super().__init__(f"No rubric {rubric_id}.")


class ReviewNotFound(NotFound):
    title = "Review not found"

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__(f"No review {review_id}.")


class InvalidField(UnprocessableContent):
    title = "Invalid field"

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(
            f"{'.'.join(map(str, loc))}: {message}", errors=[{"location": loc, "message": message}]
        )


class LeadershipRule(UnprocessableContent):
    title = "Leadership team rule"

    def __init__(self, school_id: str, violations: list[str]) -> None:
        super().__init__(
            f"School {school_id}'s leadership team breaks the rule: {'; '.join(violations)}.",
            errors=[
                {"location": ["body", "leadership_team"], "message": v, "rule": "leadership-team"}
                for v in violations
            ],
        )


class UnknownIndicators(UnprocessableContent):
    title = "Indicator not in the rubric"

    def __init__(self, rubric_id: uuid.UUID, indicator_ids: list[str]) -> None:
        super().__init__(
            f"Not indicators of rubric {rubric_id}: {', '.join(indicator_ids)}.",
            errors=[
                {"location": ["body", "ratings", i], "message": "not an indicator of the review's rubric"}
                for i in indicator_ids
            ],
        )


class MissingEvidence(UnprocessableContent):
    title = "Required evidence missing"

    def __init__(self, review_id: uuid.UUID, indicator_ids: list[str]) -> None:
        super().__init__(
            f"Review {review_id} lacks the evidence its ratings require: {', '.join(indicator_ids)}.",
            errors=[
                {
                    "location": ["body", "ratings", i, "evidence"],
                    "message": "evidence is required at this level",
                }
                for i in indicator_ids
            ],
        )


class ReviewIsFinal(UnprocessableContent):
    title = "Review is finalized"

    def __init__(self, review_id: uuid.UUID) -> None:
        super().__init__(
            f"Review {review_id} is finalized and cannot change; post a correction instead.",
            errors=[{"location": ["path", "review_id"], "message": "a finalized review is immutable"}],
        )


class WrongStatus(Conflict):
    title = "Review is not in that state"

    def __init__(self, review_id: uuid.UUID, status: str, needed: str) -> None:
        super().__init__(f"Review {review_id} is {status}; this needs it {needed}.")
