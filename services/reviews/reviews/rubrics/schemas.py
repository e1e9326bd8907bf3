"""Bodies of rubrics: strands → indicators, four levels with a descriptor per cell, the levels whose rating
needs evidence, and the training years an indicator is targeted in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from reviews.schemas import Schema

LEVELS = ("Minimal/No", "Partial", "Proficient", "Deep Implementation")
TrainingYear = Literal["1", "2", "3", "continuing"]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class Indicator(Schema):
    id: Id
    text: Text
    descriptors: list[Text] = Field(min_length=4, max_length=4, description="one per level, in LEVELS order")
    evidence_required: list[bool] = Field(
        min_length=4, max_length=4, description="per level: evidence needed"
    )
    targeted_years: list[TrainingYear] = Field(default_factory=list)


class Strand(Schema):
    id: Id
    name: Text
    indicators: list[Indicator] = Field(min_length=1, max_length=40)


class RubricBody(Schema):
    name: Text
    about: str = Field("", max_length=5000)
    strands: list[Strand] = Field(min_length=1, max_length=20)

    @field_validator("strands")
    @classmethod
    def _unique_ids(cls, strands: list[Strand]) -> list[Strand]:
        ids = [s.id for s in strands] + [i.id for s in strands for i in s.indicators]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise PydanticCustomError("duplicate_id", "ids repeat: {ids}", {"ids": ", ".join(repeated)})
        return strands


class RubricRead(RubricBody):
    id: uuid.UUID
    version: int
    levels: list[str] = Field(default_factory=lambda: list(LEVELS))
    published_at: datetime
