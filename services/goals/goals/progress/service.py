"""Progress, incremental: a batch of result events moves every active goal it touches by the difference each
event makes to one student's contribution (never a recomputation over all results). A goal activated or
versioned is built once from the results store; each batch moves the point rows of the dates it touches
(points.rules) and announces the statuses it changes (points.service). The chart and the thresholds."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from plc_shared import counting
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.exceptions import InvalidField
from goals.plans.schemas import GoalBody, stored_body
from goals.points import rules as point_rules
from goals.points.repository import PointRepository
from goals.points.service import announce
from goals.progress import rules, schemas
from goals.progress.repository import DEFINITION, ProgressRepository


def spec_of(goal: models.Goal, body: GoalBody | None = None) -> rules.Spec:
    body = body or GoalBody.model_validate(goal.body)
    m = body.measure
    return rules.Spec(
        goal_id=goal.id,
        kind=m.kind,
        start=body.start,
        deadline=body.deadline,
        school_id=goal.school_id,
        assessment_id=m.assessment_id,
        standard_id=m.standard_id,
        pre_assessment_id=m.pre_assessment_id,
        post_assessment_id=m.post_assessment_id,
        min_growth=m.min_growth or 0.0,
        class_ids=frozenset(goal.class_ids),
        grades=frozenset(goal.grades),
    )


def fact_of(kind: str, event) -> rules.Fact:
    """A result event as the fact it states (a void: the result counts for nothing from this revision)."""
    if kind == "voided":
        return rules.Fact(
            event.result_id, event.revision, event.student_id, event.school_id, tuple(event.class_ids),
            event.assessment_id, event.attempt, date.min, None, None, {}, voided=True,
        )  # fmt: skip
    scored = event.score_status not in counting.NOT_COUNTED_STATUSES  # exempt: never a score
    standards = {s.standard_id: (s.percent, s.proficiency_cut) for s in event.standards} if scored else {}
    return rules.Fact(
        event.result_id, event.revision, event.student_id, event.school_id, tuple(event.class_ids),
        event.assessment_id, event.attempt, event.assessed_on, event.percent if scored else None,
        event.proficiency_cut, standards,
    )  # fmt: skip


def fact_from_row(r: models.Result) -> rules.Fact:
    return rules.Fact(
        r.result_id, r.revision, r.student_id, r.school_id, tuple(r.class_ids), r.assessment_id, r.attempt,
        r.assessed_on or date.min, r.percent, r.proficiency_cut, {k: tuple(v) for k, v in r.standards.items()},
        r.voided,
    )  # fmt: skip


@dataclass
class Touched:
    goal: models.Goal
    body: GoalBody
    spec: rules.Spec
    goal_id: uuid.UUID = field(init=False)  # the goal's id, read once (not through the ORM per fact)
    students: dict[str, list[rules.Entry]] = field(default_factory=dict)
    # what the batch changes in the goal's sums, fact by fact (added to the sums read under the goal's lock)
    deltas: list[tuple[float, int]] = field(default_factory=list)
    changes: point_rules.Changes = field(default_factory=dict)  # per date: what the batch changes there

    def __post_init__(self) -> None:
        self.goal_id = self.goal.id


async def apply_results(
    session: AsyncSession, district_id: str, facts: list[rules.Fact], now: datetime
) -> int:
    """Apply one district's facts (in event order) to its active goals; returns the goals moved.

    The goals' rows are locked late: the batch is worked out on the goals and entries as read, then the
    goals it touches are locked (in id order, read again) and its changes added to their sums as they are then
    (replicas move the same goals' sums from different partitions: no lost update, and a replica holds the
    locks only while it writes, not while it reads and computes). A (goal, student)'s entries are only ever
    moved by the consumer of the student's partition (the inbox makes a redelivered batch wait for the
    first), so they cannot change under the batch; if a goal itself changed meanwhile (a new version, settled
    at its deadline), the batch is worked out again under the locks."""
    repo = ProgressRepository(session)
    latest: dict[uuid.UUID, rules.Fact] = {}
    for (
        f
    ) in facts:  # one row per result and statement; a fact older than one seen in this batch changes nothing
        if f.result_id not in latest or latest[f.result_id].revision < f.revision:
            latest[f.result_id] = f
    fresh = await repo.store_results(district_id, list(latest.values()))
    facts = [f for f in latest.values() if f.result_id in fresh]
    if not facts:
        return 0
    goals = await repo.active_goals(
        district_id, {f.assessment_id for f in facts}, {s for f in facts for s in f.standards}
    )
    existing = await repo.entries_of_results(district_id, {f.result_id for f in facts})
    goals += await repo.goals(district_id, {r[0] for r in existing} - {g.id for g in goals})
    seen = {g.id: [getattr(g, c) for c in DEFINITION] for g in goals}
    touched, dirty = await _work_out(repo, district_id, goals, facts, existing)
    locked = await repo.lock_rows(district_id, touched) if touched else []
    if len(locked) != len(touched) or any([r[c] for c in DEFINITION] != seen[r["id"]] for r in locked):
        locked_goals = await repo.lock_goals(district_id, touched)  # held already: the goals read again
        touched, dirty = await _work_out(repo, district_id, locked_goals, facts, existing)  # under the locks
    else:
        repo.take_sums({g: t.goal for g, t in touched.items()}, locked)
    moved = sorted({d[0] for d in dirty})
    for goal_id in moved:  # fact by fact onto the sums read under the lock (set on the ORM object once)
        g = touched[goal_id].goal
        numerator, denominator = g.numerator, g.denominator
        for num, den in touched[goal_id].deltas:
            numerator += num
            denominator += den
        g.numerator, g.denominator = numerator, denominator
    await repo.save_entries(district_id, dirty)
    await record(session, district_id, [touched[g] for g in moved], now)
    return len(moved)


async def _work_out(
    repo: ProgressRepository,
    district_id: str,
    goals: list[models.Goal],
    facts: list[rules.Fact],
    existing: list[tuple],
) -> tuple[dict[uuid.UUID, Touched], list[tuple]]:
    """The goals the facts touch with their sums' changes, and the entries to write (nothing written). A fact
    moves the goals it may count for (the matcher's candidates) and those holding an entry of its result (a
    correction or void takes it out of them): for any other goal it is nothing, before and after."""
    touched = {g.id: _touched(g) for g in goals}
    matcher = Matcher(touched.values())
    held: dict[uuid.UUID, list[Touched]] = defaultdict(list)  # result → the goals holding an entry of it
    for goal_id, _, result_id in existing:
        if goal_id in touched:
            held[result_id].append(touched[goal_id])
    goals_of = [(f, _unique([*matcher.candidates(f), *held.get(f.result_id, ())])) for f in facts]
    pairs = {(t.goal_id, f.student_id) for f, ts in goals_of for t in ts}
    for goal_id, student_id, entry in await repo.entries(district_id, pairs):
        touched[goal_id].students.setdefault(student_id, []).append(entry)
    grades = {}
    if any(t.spec.grades for t in touched.values()):
        grades = await repo.grades(district_id, {s for _, s in pairs})
    return touched, _apply(goals_of, grades)


def _unique(touched: list[Touched]) -> list[Touched]:
    return list({t.goal_id: t for t in touched}.values()) if len(touched) > 1 else touched


def _touched(goal: models.Goal) -> Touched:
    body = stored_body(goal.body)
    return Touched(goal, body, spec_of(goal, body))


class Matcher:
    """The goals a fact may count for, by what they are matched on (rules.relevant, indexed by school and
    assessment or standard: a batch's facts are matched against the goals of their school that name their
    assessment or one of their standards, not against every goal)."""

    def __init__(self, touched) -> None:
        self.by_assessment: dict[tuple[str, str], list[Touched]] = defaultdict(list)
        self.by_standard: dict[tuple[str, str], list[Touched]] = defaultdict(list)
        for t in touched:
            s = t.spec
            if s.kind == "growth":
                for a in {s.pre_assessment_id, s.post_assessment_id} - {None}:
                    self.by_assessment[(s.school_id, a)].append(t)
            elif s.standard_id is not None:
                self.by_standard[(s.school_id, s.standard_id)].append(t)
            elif s.assessment_id is not None:
                self.by_assessment[(s.school_id, s.assessment_id)].append(t)

    def candidates(self, f: rules.Fact) -> list[Touched]:
        found = list(self.by_assessment.get((f.school_id, f.assessment_id), ()))
        for standard in f.standards:
            found += self.by_standard.get((f.school_id, standard), ())
        return found


def _apply(goals_of: list[tuple[rules.Fact, list[Touched]]], grades: dict) -> list[tuple]:
    """Move the goals' sums by the difference each fact makes to its student's contribution; returns the
    entries to write as (goal, student, entry, new?). A (goal, student)'s entries are indexed by result and
    its contribution kept between facts (computed once before the first and once after each change, not
    twice per fact over a scan of the entries)."""
    dirty: list[tuple] = []
    by_result: dict[tuple, dict] = {}  # (goal, student) → result id → entry
    moved: dict[tuple, Touched] = {}  # the (goal, student)s whose entries changed
    now: dict[tuple, tuple[float, int]] = {}  # (goal, student) → its contribution
    no_grades: frozenset[str] = frozenset()
    part, contribution, Entry = rules.part, rules.contribution, rules.Entry
    for f, goals in goals_of:  # one fact per result (the batch's latest revision), in event order
        student = f.student_id
        for t in goals:
            key = (t.goal_id, student)
            index = by_result.get(key)
            if index is None:
                index = by_result[key] = {e.result_id: e for e in t.students.get(student, ())}
            mine = index.get(f.result_id)
            if mine is not None and mine.revision >= f.revision:
                continue
            role, percent, cut = part(t.spec, f, grades.get(student, no_grades))
            if mine is None and role is None:
                continue
            new = Entry(f.result_id, f.revision, role, f.assessed_on, f.attempt, percent, cut)
            old = now.get(key)
            if old is None:
                old = contribution(t.spec, list(index.values()))
            index[f.result_id] = new
            num, den = now[key] = contribution(t.spec, list(index.values()))
            t.deltas.append((num - old[0], den - old[1]))
            moved[key] = t
            dirty.append((t.goal_id, student, new, mine is None))
    for (_, student), t in moved.items():  # the points: the student's dates, before the batch and after it
        before = rules.student_points(t.spec, t.students.get(student, []))
        after = rules.student_points(t.spec, list(by_result[(t.goal_id, student)].values()))
        point_rules.add_student(t.changes, before, after)
    return dirty


async def record(session: AsyncSession, district_id: str, moved: list[Touched], now: datetime) -> None:
    """The moved goals' sums and point rows (each point the batch touched, back-dated ones included), then
    their status announced as the API will show it (`announce`)."""
    rows = []
    for t in sorted(moved, key=lambda t: t.goal_id):
        t.goal.numerator = round(t.goal.numerator, 9)
        version = t.goal.version
        rows += [(t.goal_id, version, on, *row) for on, row in point_rules.nonzero(t.changes).items()]
    await PointRepository(session).add_point_changes(district_id, rows)
    goals = [t.goal for t in moved]
    await announce(session, district_id, goals, now, moved=True)
    await ProgressRepository(session).save_sums(district_id, goals)


def _entry(e: models.GoalEntry) -> rules.Entry:
    return rules.Entry(e.result_id, e.revision, e.role, e.assessed_on, e.attempt, e.percent, e.cut)


def measure_over(spec: rules.Spec, facts: list[rules.Fact], grades: dict) -> tuple[float, int, dict]:
    """The measure over a set of facts (a goal built from the results store, or a computed baseline)."""
    students: dict[str, list[rules.Entry]] = defaultdict(list)
    for f in facts:
        entry = rules.entry_for(spec, f, grades.get(f.student_id, frozenset()))
        if entry.role is not None:
            students[f.student_id].append(entry)
    num, den = 0.0, 0
    for entries in students.values():
        n, d = rules.contribution(spec, entries)
        num, den = num + n, den + d
    return num, den, students


async def rebuild(session: AsyncSession, goal: models.Goal, now: datetime | None = None) -> None:
    """Build the goal's entries and sums from the results store (on activation or a new version)."""
    repo, spec = ProgressRepository(session), spec_of(goal)
    assessments = [a for a in (spec.assessment_id, spec.pre_assessment_id, spec.post_assessment_id) if a]
    facts = [
        fact_from_row(r) for r in await repo.results_for(goal.district_id, assessments, spec.standard_id)
    ]
    grades = await repo.grades(goal.district_id, {f.student_id for f in facts}) if spec.grades else {}
    num, den, students = measure_over(spec, facts, grades)
    await repo.clear_entries(goal.district_id, goal.id)
    await repo.save_entries(
        goal.district_id, [(goal.id, s, e, False) for s, es in students.items() for e in es]
    )
    goal.numerator, goal.denominator = round(num, 9), den
    changes: point_rules.Changes = {}
    for entries in students.values():
        point_rules.add_student(changes, ({}, Counter()), rules.student_points(spec, entries))
    await PointRepository(session).replace_points(goal.district_id, goal.id, goal.version, changes)


async def computed_baseline(
    session: AsyncSession, goal: models.Goal, body: GoalBody
) -> tuple[float | None, int, date | None]:
    """The measure over the results assessed before the goal's start (current reality from data)."""
    spec = spec_of(goal, body)
    before = rules.Spec(**{**spec.__dict__, "start": date.min, "deadline": body.start - timedelta(days=1)})
    repo = ProgressRepository(session)
    assessments = [a for a in (spec.assessment_id, spec.pre_assessment_id, spec.post_assessment_id) if a]
    facts = [
        fact_from_row(r) for r in await repo.results_for(goal.district_id, assessments, spec.standard_id)
    ]
    grades = await repo.grades(goal.district_id, {f.student_id for f in facts}) if spec.grades else {}
    num, den, students = measure_over(before, facts, grades)
    on = max((e.assessed_on for es in students.values() for e in es), default=None)
    return rules.value(spec.kind, num, den), den, on


def now_utc() -> datetime:
    return datetime.now(UTC)


async def get_thresholds(session: AsyncSession, *, principal: Principal) -> schemas.ThresholdsRead:
    row = await ProgressRepository(session).thresholds(principal.tenant)
    if row is None:
        default = rules.Thresholds()
        return schemas.ThresholdsRead(on_track=default.on_track, at_risk=default.at_risk, source="default")
    return schemas.ThresholdsRead(on_track=row.on_track, at_risk=row.at_risk, source="district")


async def set_thresholds(
    session: AsyncSession, *, principal: Principal, data: schemas.ThresholdsUpdate
) -> schemas.ThresholdsRead:
    """A district admin sets the district's thresholds (0 < at_risk < on_track <= 1, else a 422 naming the
    field); every status computed from then on uses them, and each active goal whose status they change is
    announced again (GoalProgressUpdated), so the readers of the events follow."""
    errors = rules.threshold_errors(data.on_track, data.at_risk)
    if errors:
        raise InvalidField(*errors[0])
    repo = ProgressRepository(session)
    await repo.save_thresholds(principal.tenant, data.on_track, data.at_risk)
    goals = await repo.active_goals_of(principal.tenant)
    await announce(session, principal.tenant, goals, now_utc())
    return schemas.ThresholdsRead(on_track=data.on_track, at_risk=data.at_risk, source="district")
