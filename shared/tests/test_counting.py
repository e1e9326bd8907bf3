"""The counting rule on plain values: which of a student's results counts (plc_shared.counting)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from plc_shared import counting
from plc_shared.ids import new_id


@dataclass(frozen=True)
class R:
    result_id: uuid.UUID
    assessed_on: date
    attempt: int
    status: str = "fully graded"
    percent: float | None = 50.0
    voided: bool = False


def key(r: R) -> tuple:
    return counting.order(r.assessed_on, r.attempt, r.result_id)


def counted(results: list[R]) -> R | None:
    return counting.latest(
        (r for r in results if not r.voided and counting.scores(r.status, r.percent)), key=key
    )


DAY = date(2026, 9, 14)
attempts = st.lists(
    st.builds(
        R,
        result_id=st.uuids(),
        assessed_on=st.integers(0, 3).map(lambda d: DAY + timedelta(days=d)),
        attempt=st.integers(1, 3),
        status=st.sampled_from(["fully graded", "exempt", "not submitted", "submitted"]),
        percent=st.one_of(st.none(), st.floats(0, 100)),
        voided=st.booleans(),
    ),
    max_size=8,
    unique_by=lambda r: (r.attempt, r.result_id),
)


def test_a_retake_counts_and_the_first_attempt_no_longer_does():
    first, retake = R(new_id(), DAY, 1, percent=40), R(new_id(), DAY + timedelta(days=7), 2, percent=95)
    assert counted([first, retake]) is retake
    assert counted([retake, first]) is retake


def test_on_the_same_day_the_higher_attempt_counts_whichever_was_recorded_first():
    second = R(new_id(), DAY, 2)  # recorded first (a smaller time-ordered id)
    first = R(new_id(), DAY, 1)
    assert counted([first, second]) is second


def test_a_later_date_beats_a_higher_attempt_number():
    late_first = R(new_id(), DAY + timedelta(days=1), 1)
    assert counted([late_first, R(new_id(), DAY, 2)]) is late_first


def test_an_exempt_or_unscored_retake_leaves_the_earlier_score_counting():
    first = R(new_id(), DAY, 1, percent=40)
    for retake in (R(new_id(), DAY, 2, status="exempt", percent=80), R(new_id(), DAY, 2, percent=None)):
        assert counted([first, retake]) is first


def test_voiding_the_latest_brings_back_the_one_before_and_voiding_all_leaves_none():
    first, retake = R(new_id(), DAY, 1), R(new_id(), DAY, 2)
    assert counted([first, replace(retake, voided=True)]) is first
    assert counted([replace(first, voided=True), replace(retake, voided=True)]) is None


def test_between_assessments_on_one_day_the_result_recorded_later_counts():
    """Same date, same attempt (two assessments measuring one standard): ids are time-ordered (uuid7)."""
    earlier, later = new_id(), new_id()
    assert counted([R(later, DAY, 1), R(earlier, DAY, 1)]).result_id == later


@given(attempts, st.randoms())
def test_the_input_order_never_matters(results, rng):
    shuffled = list(results)
    rng.shuffle(shuffled)
    assert counted(shuffled) == counted(results)


@given(attempts, st.data())
def test_a_correction_that_keeps_the_date_never_changes_which_result_counts(results, data):
    """A correction changes scores (and a status between scored ones), never the attempt or its order."""
    if not results:
        return
    i = data.draw(st.integers(0, len(results) - 1))
    before = counted(results)
    fixed = replace(results[i], percent=data.draw(st.floats(0, 100)), status="fully graded")
    if results[i] is before or counting.scores(results[i].status, results[i].percent) is False:
        return  # correcting the counting result (or scoring an unscored one) may of course change the figure
    after = counted([*results[:i], fixed, *results[i + 1 :]])
    assert after == before


@given(attempts)
def test_the_counted_result_is_live_scored_and_no_other_is_later(results):
    found = counted(results)
    live = [r for r in results if not r.voided and r.status != "exempt" and r.percent is not None]
    assert (found is None) == (not live)
    if found is not None:
        assert found in live
        assert all((r.assessed_on, r.attempt) <= (found.assessed_on, found.attempt) for r in live)


def test_the_order_of_ids_is_the_order_of_their_text():
    ids = sorted((uuid.uuid4() for _ in range(200)), key=str)
    assert sorted(ids, key=lambda i: i.int) == ids
