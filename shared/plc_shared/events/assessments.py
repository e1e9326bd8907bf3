"""Events of the assessments service: the public contract that interventions, goals, reviews and the data
warehouses consume. IDs are SIS sourcedIds; there are no names or other personal data in any event.

Result events are keyed by `district_id/student_id` (topic `plc.assessments.results`), so one student's results
arrive in order; ids are unique within a district only, so a consumer keys its state by (district_id, id). `revision` grows with every change of one result (recorded = 1, each correction or void +1): a consumer
that sees a revision lower than the one it already applied ignores it.

Cuts and percents are percentages of the maximum points (0-100). A standard is *proficient* when its percent
is at or above the proficiency cut, *mastered* at or above the mastery cut.

Which result counts (`plc_shared.counting`, the one rule every consumer applies): per student and per figure
(an assessment's percent, one standard's score), the latest live attempt that scored it — voided results
never, `exempt` results never, a result without a value for the figure never; latest by `assessed_on`, then
`attempt`, then `result_id` (time-ordered). A correction keeps its result's `attempt`: it never reorders.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from plc_shared.events.envelope import Event
from plc_shared.topics import ASSESSMENTS, RESULTS, ROSTER

SOURCE = "/plc/assessments"
ScoreStatus = Literal["exempt", "fully graded", "not submitted", "partially graded", "submitted"]
AssessmentKind = Literal["common_formative", "common_summative", "benchmark"]


class StandardScore(BaseModel):
    """How the student did on one standard (through the objectives and items aligned to it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    standard_id: str
    code: str | None = Field(None, description="humanCodingScheme, e.g. CCSS.MATH.CONTENT.4.NF.A.1")
    essential: bool = False
    points: float
    max_points: float
    percent: float
    proficiency_cut: float
    mastery_cut: float
    proficient: bool
    mastered: bool


class _ResultEvent(Event):
    result_id: uuid.UUID = Field(
        description="the result (assessment, student, attempt): stays the same through corrections and voids;"
        " time-ordered, so the last tie-break of the counting rule"
    )
    revision: int = Field(ge=1)
    student_id: str
    district_id: str
    school_id: str
    class_ids: list[str] = Field(default_factory=list)
    assessment_id: str
    attempt: int = Field(
        ge=1,
        description="1 for the first sitting, 2 for a retake...: on the same assessment date, the higher counts",
    )

    def key(self) -> str:
        return f"{self.district_id}/{self.student_id}"

    def subject(self) -> str:
        return f"results/{self.result_id}"


class _ScoredResult(_ResultEvent):
    score_status: ScoreStatus
    total_score: float | None
    max_score: float
    percent: float | None
    performance_level: str | None = None
    proficiency_cut: float
    mastery_cut: float
    standards: list[StandardScore] = Field(default_factory=list)
    assessed_on: date = Field(description="when the student sat it: the first key of which result counts")
    recorded_at: datetime = Field(
        description="when the service committed this revision (for latency metrics)"
    )


class ResultRecorded(_ScoredResult):
    """A result was recorded (or recorded again after a void). It counts for a figure when it is the student's
    latest live attempt that scored that figure (the module's rule)."""

    type = "org.plc.assessments.result.recorded.v1"
    source = SOURCE
    topic = RESULTS.name


class ResultCorrected(_ScoredResult):
    """A result changed (new scores, status, standards or date): consumers re-evaluate from this revision. Its
    attempt never changes, so a correction moves what counts only through its own scores or `assessed_on`."""

    type = "org.plc.assessments.result.corrected.v1"
    source = SOURCE
    topic = RESULTS.name


class ResultVoided(_ResultEvent):
    """A result was deleted (entered in error): consumers undo what it caused; where it counted, the student's
    previous live attempt that scored the figure counts again."""

    type = "org.plc.assessments.result.voided.v1"
    source = SOURCE
    topic = RESULTS.name

    standard_ids: list[str] = Field(default_factory=list, description="the standards the result measured")
    voided_at: datetime


class _AssessmentEvent(Event):
    assessment_id: str
    district_id: str
    school_id: str | None = None
    kind: AssessmentKind
    subject_area: str | None = None
    grades: list[str] = Field(default_factory=list)
    standard_ids: list[str] = Field(default_factory=list)
    proficiency_cut: float
    mastery_cut: float
    occurred_at: datetime

    def key(self) -> str:
        return f"{self.district_id}/{self.assessment_id}"


class AssessmentPublished(_AssessmentEvent):
    type = "org.plc.assessments.assessment.published.v1"
    source = SOURCE
    topic = ASSESSMENTS.name


class AssessmentClosed(_AssessmentEvent):
    type = "org.plc.assessments.assessment.closed.v1"
    source = SOURCE
    topic = ASSESSMENTS.name


RosterStatus = Literal["active", "tobedeleted"]


class _RosterEvent(Event):
    district_id: str
    status: RosterStatus = Field(description="OneRoster status; `tobedeleted` when the SIS removed it")
    occurred_at: datetime

    topic = ROSTER.name
    source = SOURCE


class SchoolRostered(_RosterEvent):
    """A school of the district's roster was created, changed or deleted (id and parent only, no names)."""

    type = "org.plc.assessments.school.rostered.v1"

    school_id: str

    def key(self) -> str:
        return f"{self.district_id}/{self.school_id}"


class StudentRostered(_RosterEvent):
    """A student of the district's roster was created, changed or deleted: ids, schools, grades and classes, no
    names. Published again whenever the student's class enrollments change, so the latest event of a student
    always says all of their classes."""

    type = "org.plc.assessments.student.rostered.v1"

    student_id: str
    school_ids: list[str] = Field(default_factory=list)
    grades: list[str] = Field(default_factory=list)
    class_ids: list[str] | None = Field(
        None,
        description="every class the student is actively enrolled in (a teacher sees the data of the students "
        "of their classes); absent in events published before it was added: unknown, keep what you have",
    )

    def key(self) -> str:
        return f"{self.district_id}/{self.student_id}"


class ClassRostered(_RosterEvent):
    """A class of the district's roster was created, changed or deleted: its id, school and grades, no title.
    Goals checks the classes a team or a goal's population names against it."""

    type = "org.plc.assessments.class.rostered.v1"

    class_id: str
    school_id: str
    grades: list[str] = Field(default_factory=list)

    def key(self) -> str:
        return f"{self.district_id}/{self.class_id}"


StaffRole = Literal["teacher", "administrator", "aide", "proctor"]


class UserRostered(_RosterEvent):
    """A staff member of the district's roster took a role at schools (from an enrollment): ids only, no names.
    Goals keys its team members by it (members are roster users with their roster role)."""

    type = "org.plc.assessments.user.rostered.v1"

    user_id: str
    role: StaffRole
    school_ids: list[str] = Field(default_factory=list)

    def key(self) -> str:
        return f"{self.district_id}/{self.user_id}"
