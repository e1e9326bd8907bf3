"""Expected failures of the goals service (rendered as problem+json by plc_shared.errors).

Each constructor takes the ids the failure is about. Another district's object raises the same NotFound as a
missing one: a caller can never tell that an id exists elsewhere.
"""

import uuid

from plc_shared.errors import NotFound, UnprocessableContent


class SchoolNotFound(NotFound):
    title = "School not found"

    def __init__(self, school_id: str) -> None:
        super().__init__(f"No school {school_id}.")


class TeamNotFound(NotFound):
    title = "Team not found"

    def __init__(self, team_id: uuid.UUID) -> None:
        super().__init__(f"No team {team_id}.")


class GoalNotFound(NotFound):
    title = "Goal not found"

    def __init__(self, goal_id: uuid.UUID) -> None:
        super().__init__(f"No goal {goal_id}.")


class CycleNotFound(NotFound):
    title = "PDSA cycle not found"

    def __init__(self, cycle_id: uuid.UUID) -> None:
        super().__init__(f"No PDSA cycle {cycle_id}.")


class LeadershipRule(UnprocessableContent):
    title = "Leadership team rule"

    def __init__(self, team_id: uuid.UUID | None, violations: list[str]) -> None:
        super().__init__(
            f"The leadership team {team_id or '(new)'} breaks the rule: {'; '.join(violations)}.",
            errors=[
                {"location": ["body", "members"], "message": v, "rule": "leadership-team"} for v in violations
            ],
        )


class UnknownMembers(UnprocessableContent):
    title = "Unknown team members"

    def __init__(self, school_id: str, user_ids: list[str]) -> None:
        super().__init__(
            f"Not staff of school {school_id} on the roster: {', '.join(user_ids)}.",
            errors=[{"location": ["body", "members"], "message": f"unknown user {u!r}"} for u in user_ids],
        )


class InvalidField(UnprocessableContent):
    title = "Invalid field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"{field}: {message}", errors=[{"location": ["body", *field.split(".")], "message": message}]
        )


class NotSmart(UnprocessableContent):
    title = "Goal is not SMART"

    def __init__(self, goal_id: uuid.UUID | None, failing: list[dict]) -> None:
        letters = "".join(f["letter"] for f in failing)
        super().__init__(
            f"Goal {goal_id or '(new)'} fails SMART letter(s) {letters}.",
            errors=[
                {"location": ["body", r.split(":")[0]], "letter": f["letter"], "message": r}
                for f in failing
                for r in f["reasons"]
            ],
            failing_letters=list(letters),
        )


class PhaseOrder(UnprocessableContent):
    title = "PDSA step out of order"

    def __init__(
        self, cycle_id: uuid.UUID, phase: str, step: str, why: str, field: str | None = None
    ) -> None:
        loc = ["body", *field.split(".")] if field else ["body"]
        super().__init__(
            f"PDSA cycle {cycle_id} is in {phase}: {step} {why}.",
            errors=[{"location": loc, "message": why, "phase": phase, "step": step}],
            step=step,
            phase=phase,
        )


class FoundationNotFound(NotFound):
    title = "Foundation not found"

    def __init__(self, school_id: str) -> None:
        super().__init__(f"School {school_id} has not written its foundation yet.")
