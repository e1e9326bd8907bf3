"""A school's rules: flag cuts (overriding the events'), escalation and overdue rules; an assessment's cuts."""

from __future__ import annotations

from pydantic import Field, model_validator

from interventions.schemas import Schema


class RulesBase(Schema):
    proficiency_cut: float | None = Field(None, ge=0, le=100, description="overrides the events' cut")
    mastery_cut: float | None = Field(None, ge=0, le=100)
    escalation_open_flags: int = Field(3, ge=1, description="N open support flags move a student up a tier")
    reflag_weeks: int = Field(6, ge=0, description="flagged again on a standard within M weeks: up a tier")
    overdue_school_days: int = Field(5, ge=0, description="Tier 2/3 without an intervention after K days")

    @model_validator(mode="after")
    def _cuts_together(self) -> RulesBase:
        if (self.proficiency_cut is None) != (self.mastery_cut is None):
            raise ValueError("give both cuts or neither")
        if self.proficiency_cut is not None and self.mastery_cut < self.proficiency_cut:
            raise ValueError("the mastery cut cannot be below the proficiency cut")
        return self


class RulesUpdate(RulesBase):
    pass


class RulesRead(RulesBase):
    school_id: str


class AssessmentCuts(Schema):
    proficiency_cut: float = Field(ge=0, le=100)
    mastery_cut: float = Field(ge=0, le=100)
