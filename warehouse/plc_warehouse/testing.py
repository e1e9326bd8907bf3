"""Events of every producing service for the warehouse tests: goals and reviews events as those services
publish them (ids, scores and dates only)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from plc_shared.events import Event
from plc_shared.events.goals import GoalActivated, GoalProgressUpdated
from plc_shared.events.reviews import ReviewFinalized, SchoolRecognized

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def goal_events(district: str, schools: int, weeks: int = 3) -> list[Event]:
    events: list[Event] = []
    for s in range(schools):
        goal_id, school = uuid.uuid4(), f"s{s}"
        common = {"district_id": district, "goal_id": goal_id, "school_id": school}
        start = date(2026, 1, 5)
        events.append(
            GoalActivated(
                **common,
                occurred_at=NOW,
                version=1,
                baseline=40,
                target=60,
                start=start,
                deadline=date(2026, 6, 1),
            )
        )
        events += [
            GoalProgressUpdated(
                **common,
                occurred_at=NOW + timedelta(weeks=w),
                version=1,
                value=40 + 3 * w,
                n=25,
                status="on track",
                as_of=start + timedelta(weeks=w),
            )
            for w in range(weeks)
        ]
    return events


def review_events(district: str, schools: int) -> list[Event]:
    events: list[Event] = []
    for s in range(schools):
        review_id = uuid.uuid4()
        events.append(
            ReviewFinalized(
                district_id=district,
                school_id=f"s{s}",
                review_id=review_id,
                rubric_id=uuid.uuid4(),
                kind="site",
                on=date(2026, 2, 1),
                school_year=2026,
                training_year="year 3",
                version=1,
                indicators=12,
                percent_proficient=75.0 + s % 20,
                points=30.0,
                finalized_at=NOW,
            )
        )
        if s % 2 == 0:
            events.append(
                SchoolRecognized(
                    district_id=district,
                    school_id=f"s{s}",
                    recognition_id=uuid.uuid4(),
                    level="exemplary",
                    review_id=review_id,
                    school_year=2026,
                    recognized_at=NOW,
                )
            )
    return events
