"""Expected failures of the interventions service (rendered as problem+json by plc_shared.errors)."""

from plc_shared.errors import Conflict, NotFound, UnprocessableContent


class InterventionNotFound(NotFound):
    title = "Intervention not found"


class AssignmentNotFound(NotFound):
    title = "Assignment not found"


class StudentNotFound(NotFound):
    title = "Student not known to the interventions service"


class AssignmentClosed(Conflict):
    title = "Assignment already exited"


class TierOutOfScope(UnprocessableContent):
    title = "Tier not allowed"


class FlagNotFound(NotFound):
    title = "Flag not found"


class FlagClosed(Conflict):
    title = "Flag already resolved"
