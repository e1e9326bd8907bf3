"""Recognition rules, pure.

Exemplary: a finalized site review rates every indicator of its rubric Proficient or Deep Implementation, the
school meets the achievement criterion for that school year, and its reflective narrative for the year is in.
Sustaining Exemplary: a school recognized before meets all of that again on a site review at least
`years_apart` school years after its last recognition.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviews.rubrics.rules import PROFICIENT


@dataclass(frozen=True)
class Achievement:
    criterion: str  # percent_proficient | goals_achieved | state_result
    value: float | None  # percent proficient, or 1/0 for a state result met / not met; None: no data
    threshold: float
    n: int = 0

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.threshold


@dataclass(frozen=True)
class Standing:
    """What is known of a school for one of its finalized site reviews."""

    school_year: int | None  # the site review's year; None: no finalized site review
    levels: dict[str, int]  # indicator id → level of that review
    indicator_ids: list[str]  # the review's rubric's indicators
    achievement: Achievement
    narrative: bool
    recognized_years: list[int]  # school years of earlier recognitions (any level)


def unmet_exemplary(s: Standing) -> list[str]:
    if s.school_year is None:
        return ["no finalized site review"]
    out = []
    below = [i for i in s.indicator_ids if s.levels.get(i, -1) < PROFICIENT]
    if below:
        out.append(f"indicators below Proficient on the {s.school_year} site review: {', '.join(below)}")
    if (missing := unmet_achievement(s.achievement, s.school_year)) is not None:
        out.append(missing)
    if not s.narrative:
        out.append(f"no reflective narrative for {s.school_year}")
    return out


def unmet_achievement(a: Achievement, year: int) -> str | None:
    if a.criterion == "state_result":
        if a.value is None:
            return f"no state-accountability result entered for {year}"
        return None if a.met else f"state-accountability target not met in {year}"
    if a.criterion == "goals_achieved":
        if a.value is None:
            return f"no SMART goals achieved or missed in {year}"
        return None if a.met else f"goals achieved {a.value:g} % below {a.threshold:g} % in {year}"
    if a.value is None:
        return f"no percent proficient data for {year}"
    return None if a.met else f"percent proficient {a.value:g} below {a.threshold:g} in {year}"


def next_level(s: Standing) -> str:
    return "sustaining" if s.recognized_years else "exemplary"


def unmet(s: Standing, years_apart: int) -> list[str]:
    """Exactly which criteria of the school's next recognition are still unmet (empty: it is recognized)."""
    out = unmet_exemplary(s)
    if s.recognized_years and s.school_year is not None:
        last = max(s.recognized_years)
        if s.school_year - last < years_apart:
            out.append(f"a site review in {last + years_apart} or later ({years_apart} years after {last})")
    return out


def recognition(s: Standing, years_apart: int) -> str | None:
    """The level a school earns on this standing, or None."""
    if s.school_year is not None and s.school_year in s.recognized_years:
        return None  # already recognized for this year
    return None if unmet(s, years_apart) else next_level(s)
