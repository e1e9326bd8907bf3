"""Expected failures of the interventions service (rendered as problem+json by plc_shared.errors).

Each constructor takes the ids the failure is about. Another district's object raises the same NotFound as a
missing one (same status, same body): a caller can never tell that an id exists elsewhere.
"""

import uuid

from plc_shared.errors import Conflict, NotFound, UnprocessableContent


class SchoolNotFound(NotFound):
    title = "School not found"

    def __init__(self, school_id: str) -> None:
        super().__init__(f"No school {school_id}.")


class StudentNotFound(NotFound):
    title = "Student not found"

    def __init__(self, student_id: str) -> None:
        super().__init__(f"No student {student_id}.")


class InterventionNotFound(NotFound):
    title = "Intervention not found"

    def __init__(self, intervention_id: uuid.UUID) -> None:
        super().__init__(f"No intervention {intervention_id}.")


class InterventionRetired(Conflict):
    title = "Intervention retired"

    def __init__(self, intervention_id: uuid.UUID) -> None:
        super().__init__(
            f"Intervention {intervention_id} is retired: it is no longer offered for new assignments.",
            errors=[
                {"location": ["body", "intervention_id"], "message": "retired: choose another intervention"}
            ],
        )


class AssignmentNotFound(NotFound):
    title = "Assignment not found"

    def __init__(self, assignment_id: uuid.UUID) -> None:
        super().__init__(f"No assignment {assignment_id}.")


class FlagNotFound(NotFound):
    title = "Flag not found"

    def __init__(self, flag_id: uuid.UUID) -> None:
        super().__init__(f"No flag {flag_id}.")


class AssignmentClosed(Conflict):
    title = "Assignment already exited"

    def __init__(self, assignment_id: uuid.UUID, exited_on: object) -> None:
        super().__init__(f"Assignment {assignment_id} was exited on {exited_on}.")


class ProgressBeforeStart(UnprocessableContent):
    title = "Progress point before the start"

    def __init__(self, assignment_id: uuid.UUID, measured_on: object, start_on: object) -> None:
        super().__init__(
            f"A progress point of {measured_on} is before assignment {assignment_id} started ({start_on}).",
            errors=[{"location": ["body", "measured_on"], "message": f"on or after {start_on}"}],
        )


class AlreadyAssigned(Conflict):
    title = "Already assigned"

    def __init__(self, assignment_id: uuid.UUID) -> None:
        super().__init__(
            f"The student already has this intervention active on this standard (assignment {assignment_id}).",
            errors=[{"location": ["body", "intervention_id"], "message": "already active for this student"}],
        )


class ProgressInTheFuture(UnprocessableContent):
    title = "Progress point in the future"

    def __init__(self, measured_on: object) -> None:
        super().__init__(
            f"A progress point cannot be dated {measured_on}: that day has not come yet.",
            errors=[{"location": ["body", "measured_on"], "message": "not after today"}],
        )


class ExitReasonAgainstData(UnprocessableContent):
    title = "Exit reason does not match the progress"

    def __init__(self, last_score: float | None, goal: float) -> None:
        seen = "no progress point" if last_score is None else f"the last progress point is {last_score:g}"
        super().__init__(
            f'"Goal met" needs the last progress point at or above the goal ({goal:g}); {seen}. '
            "Record the point that shows it, or confirm that the goal is met.",
            errors=[{"location": ["body", "reason"], "message": f"{seen}, below the goal of {goal:g}"}],
        )


class FlagClosed(Conflict):
    title = "Flag already resolved"

    def __init__(self, flag_id: uuid.UUID, resolution: str | None) -> None:
        super().__init__(f"Flag {flag_id} was resolved ({resolution}).")
