"""The flag state machine for one batch of result changes, in memory and free of I/O.

The consumer loads a `Snapshot` of everything the batch can touch (with a fixed number of queries), applies
each change in partition order here, then writes back what `Snapshot` marks dirty (again a fixed number of
statements). Applying changes one by one keeps the semantics of "one result at a time" while the SQL stays
set-based; the same code is property-tested against a naive model.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from plc_shared.events import Event
from plc_shared.events.interventions import FlagResolved, StudentFlagged, TierChanged
from plc_shared.ids import new_id

from interventions.flags import rules
from interventions.flags.rules import ENRICHMENT, SUPPORT, Kind, Score

ChangeKind = Literal["recorded", "corrected", "voided"]


REASON = {"recorded": "result", "corrected": "correction", "voided": "void"}


# Every key starts with the district: ids are unique within a district only.
Who = tuple[str, str]  # (district id, student id)


Pair = tuple[str, str, str]  # (district id, student id, standard id)


HeadKey = tuple[str, uuid.UUID]  # (district id, result id)


@dataclass(frozen=True, slots=True)
class ResultChange:
    """A result event, normalised: cuts are already the effective ones; a void has no scores."""

    kind: ChangeKind
    result_id: uuid.UUID
    revision: int
    student_id: str
    district_id: str
    school_id: str
    class_ids: tuple[str, ...]
    assessment_id: str
    scores: dict[str, Score]  # by standard id
    recorded_at: datetime
    voided_standards: tuple[str, ...] = ()
    # the keys the engine looks up several times per standard: built once (a property built them every time)
    who: Who = field(init=False, repr=False, compare=False)
    head_key: HeadKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "who", (self.district_id, self.student_id))
        object.__setattr__(self, "head_key", (self.district_id, self.result_id))


@dataclass
class ResultHead:
    revision: int
    student_id: str
    standard_ids: frozenset[str]
    first_recorded_at: datetime
    voided: bool = False


@dataclass
class Flag:
    flag_id: uuid.UUID
    student_id: str
    district_id: str
    school_id: str
    class_ids: tuple[str, ...]
    standard_id: str
    kind: Kind
    rule: str
    result_id: uuid.UUID
    result_revision: int
    assessment_id: str
    score: float
    cut: float
    evidence_recorded_at: datetime
    status: Literal["open", "resolved"] = "open"
    resolution: str | None = None
    resolved_by_result_id: uuid.UUID | None = None
    resolved_event_at: datetime | None = None


@dataclass
class Tier:
    student_id: str
    district_id: str
    school_id: str
    tier: int
    reason: str
    rule: str | None
    since: datetime


@dataclass
class Snapshot:
    """What the database holds for the batch's results and (district, student, standard) triples."""

    heads: dict[HeadKey, ResultHead] = field(default_factory=dict)
    scores: dict[Pair, dict[uuid.UUID, Score]] = field(default_factory=lambda: defaultdict(dict))
    open_flags: dict[tuple[str, str, str, Kind], Flag] = field(default_factory=dict)
    last_resolved_support: dict[Pair, datetime] = field(default_factory=dict)
    open_support: dict[Who, int] = field(default_factory=lambda: defaultdict(int))
    tiers: dict[Who, Tier] = field(default_factory=dict)
    escalation: dict[tuple[str, str], rules.Escalation] = field(default_factory=dict)  # by (district, school)
    default_escalation: rules.Escalation = field(default_factory=rules.Escalation)


@dataclass
class Changes:
    """What to write back: final states only (a flag opened and resolved in one batch is one insert)."""

    heads: set[HeadKey] = field(default_factory=set)
    scores: set[tuple[str, uuid.UUID, str]] = field(default_factory=set)  # (district, result, standard)
    new_flags: dict[uuid.UUID, Flag] = field(default_factory=dict)
    updated_flags: dict[uuid.UUID, Flag] = field(default_factory=dict)
    tiers: set[Who] = field(default_factory=set)
    events: list[Event] = field(default_factory=list)
    latencies_from: list[datetime] = field(default_factory=list)  # recorded_at of results that moved a flag


class FlagEngine:
    def __init__(self, snapshot: Snapshot, *, now: datetime) -> None:
        self.s, self.now, self.changes = snapshot, now, Changes()

    def apply(self, change: ResultChange) -> None:
        head = self.s.heads.get(change.head_key)
        if head is not None and change.revision <= head.revision:
            return  # a stale or repeated revision: what we hold is newer
        before = head.standard_ids if head else frozenset(change.voided_standards)
        first = head.first_recorded_at if head else change.recorded_at
        self.s.heads[change.head_key] = ResultHead(
            change.revision, change.student_id, frozenset(change.scores), first, change.kind == "voided"
        )
        self.changes.heads.add(change.head_key)
        for standard_id in sorted(before | set(change.scores)):
            pair = self.s.scores[(*change.who, standard_id)]
            pair.pop(change.result_id, None)
            score = change.scores.get(standard_id)
            if score is not None:
                if score.first_recorded_at != first:  # a later revision keeps the result's first recording
                    score = replace(score, first_recorded_at=first)
                pair[change.result_id] = score
            self.changes.scores.add((change.district_id, change.result_id, standard_id))
            self._evaluate(change, standard_id)

    def _evaluate(self, change: ResultChange, standard_id: str) -> None:
        current = rules.latest(self.s.scores[(*change.who, standard_id)].values())
        wanted = rules.wanted_kinds(current)
        for kind in (SUPPORT, ENRICHMENT):
            flag = self.s.open_flags.get((*change.who, standard_id, kind))
            if kind in wanted and flag is None:
                self._open(change, standard_id, kind, current)
            elif kind in wanted and (flag.result_id, flag.result_revision) != (
                current.result_id,
                current.revision,
            ):
                self._keep(flag, current)
            elif kind not in wanted and flag is not None:
                self._resolve(change, flag, current)

    def _open(self, change: ResultChange, standard_id: str, kind: Kind, score: Score) -> None:
        flag = Flag(
            flag_id=new_id(),
            student_id=change.student_id,
            district_id=change.district_id,
            school_id=change.school_id,
            class_ids=change.class_ids,
            standard_id=standard_id,
            kind=kind,
            rule=rules.rule_for(kind),
            result_id=score.result_id,
            result_revision=score.revision,
            assessment_id=score.assessment_id,
            score=score.percent,
            cut=rules.cut_for(kind, score),
            evidence_recorded_at=score.recorded_at,
        )
        self.s.open_flags[(*change.who, standard_id, kind)] = flag
        self.changes.new_flags[flag.flag_id] = flag
        self.changes.latencies_from.append(change.recorded_at)
        self.changes.events.append(
            StudentFlagged(
                student_id=flag.student_id,
                district_id=flag.district_id,
                school_id=flag.school_id,
                flag_id=flag.flag_id,
                kind=kind,
                standard_id=standard_id,
                result_id=flag.result_id,
                result_revision=flag.result_revision,
                assessment_id=flag.assessment_id,
                score=flag.score,
                cut=flag.cut,
                rule=flag.rule,
                flagged_at=self.now,
            )
        )
        if kind == SUPPORT:
            self.s.open_support[change.who] += 1
            self._escalate(change, standard_id)

    def _keep(self, flag: Flag, score: Score) -> None:
        """Still below (or at mastery): the flag stays open and names the latest evidence."""
        flag.result_id, flag.result_revision = score.result_id, score.revision
        flag.assessment_id, flag.score = score.assessment_id, score.percent
        flag.cut, flag.evidence_recorded_at = rules.cut_for(flag.kind, score), score.recorded_at
        self._mark(flag)

    def _resolve(self, change: ResultChange, flag: Flag, score: Score | None) -> None:
        flag.status, flag.resolution = "resolved", REASON[change.kind]
        flag.resolved_by_result_id, flag.resolved_event_at = change.result_id, change.recorded_at
        del self.s.open_flags[(flag.district_id, flag.student_id, flag.standard_id, flag.kind)]
        self._mark(flag)
        self.changes.latencies_from.append(change.recorded_at)
        by_this = score is not None and score.result_id == change.result_id
        self.changes.events.append(
            FlagResolved(
                student_id=flag.student_id,
                district_id=flag.district_id,
                school_id=flag.school_id,
                flag_id=flag.flag_id,
                kind=flag.kind,
                standard_id=flag.standard_id,
                reason=flag.resolution,
                result_id=change.result_id,
                result_revision=change.revision,
                score=score.percent if by_this else None,
                cut=rules.cut_for(flag.kind, score) if by_this else None,
                resolved_at=self.now,
            )
        )
        if flag.kind == SUPPORT:
            self.s.open_support[(flag.district_id, flag.student_id)] -= 1
            self.s.last_resolved_support[(flag.district_id, flag.student_id, flag.standard_id)] = (
                change.recorded_at
            )

    def _mark(self, flag: Flag) -> None:
        if flag.flag_id not in self.changes.new_flags:
            self.changes.updated_flags[flag.flag_id] = flag

    def _escalate(self, change: ResultChange, standard_id: str) -> None:
        policy = self.s.escalation.get((change.district_id, change.school_id), self.s.default_escalation)
        rule = rules.escalation_rule(
            policy,
            open_support=self.s.open_support[change.who],
            previous_resolved_at=self.s.last_resolved_support.get((*change.who, standard_id)),
            flagged_at=change.recorded_at,
        )
        current = self.s.tiers.get(change.who)
        before = current.tier if current else 1
        if rule is None or rules.tier_up(before) == before:
            return
        self.s.tiers[change.who] = Tier(
            change.student_id,
            change.district_id,
            change.school_id,
            rules.tier_up(before),
            "escalation",
            rule,
            self.now,
        )
        self.changes.tiers.add(change.who)
        self.changes.events.append(
            TierChanged(
                student_id=change.student_id,
                district_id=change.district_id,
                school_id=change.school_id,
                from_tier=before,
                to_tier=before + 1,
                reason="escalation",
                rule=rule,
                changed_at=self.now,
            )
        )
