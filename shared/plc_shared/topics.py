"""The catalog of Kafka topics: the one place that says which topics exist, how they are keyed and sized.

Topic names here are logical; `KafkaSettings.topic()` adds the deployment's prefix. SIS ids are unique within a
district only, so every key starts with the district id: `d1/stu-42` and `d2/stu-42` are different students.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    description: str
    partitions: int = 6


RESULTS = Topic(
    "plc.assessments.results",
    key="district id/student id (e.g. `d1/stu-42`)",
    description="Student assessment results recorded, corrected or voided; one student's results in order.",
    partitions=12,
)
ASSESSMENTS = Topic(
    "plc.assessments.assessments",
    key="district id/assessment id",
    description="Common assessments published or closed.",
)
ROSTER = Topic(
    "plc.assessments.roster",
    key="district id/sourcedId",
    description="Schools, students and staff of each district's roster as they are created, changed or deleted (ids only).",
)
FLAGS = Topic(
    "plc.interventions.flags",
    key="district id/student id",
    description="Students flagged for support or enrichment, flags resolved, tiers, interventions, exits.",
    partitions=12,
)
GOALS = Topic(
    "plc.goals.goals",
    key="district id/goal id (district id/team id for team events)",
    description="Teams, SMART goals, their versions and progress; PDSA cycles.",
)
REVIEWS = Topic(
    "plc.reviews.reviews",
    key="district id/school id",
    description="Site reviews finalized and schools recognized Exemplary or Sustaining Exemplary.",
)

ALL: tuple[Topic, ...] = (RESULTS, ASSESSMENTS, ROSTER, FLAGS, GOALS, REVIEWS)


def dead_letter(consumer_group: str) -> Topic:
    """Each consumer group parks the messages it cannot handle on its own dead-letter topic."""
    return Topic(
        f"plc.deadletter.{consumer_group}",
        key="original key",
        description=f"Messages the '{consumer_group}' consumers could not handle, with the error in headers.",
        partitions=1,
    )


# The suite's consumer groups (each service's `Consumer.name`s; tests/test_services.py checks the list), so
# that their dead-letter topics are part of the catalog `plc topics` creates and checks.
CONSUMER_GROUPS: tuple[str, ...] = (
    "goals-results",
    "goals-roster",
    "goals-flags",
    "interventions-results",
    "interventions-roster",
    "reviews-results",
    "reviews-facts",
)


def catalog() -> tuple[Topic, ...]:
    """Every topic the suite uses: the event topics and each consumer group's dead-letter topic."""
    return (*ALL, *(dead_letter(group) for group in CONSUMER_GROUPS))


def by_name(name: str) -> Topic:
    """The catalog's topic of that (logical) name; one outside the catalog (a library test's) is created with
    the default partitions."""
    return next(
        (t for t in catalog() if t.name == name), Topic(name, key="", description="outside the catalog")
    )
