"""Standards bodies: a district's learning standards and their essential flags."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from assessments.schemas import Schema


class StandardBase(Schema):
    code: str = Field(min_length=1, description="humanCodingScheme, e.g. CCSS.MATH.CONTENT.4.NF.A.1")
    statement: str = Field(min_length=1)
    subject: str | None = None
    grade: str | None = None
    case_identifier: uuid.UUID | None = Field(None, description="CASE CFItem identifier")
    case_uri: str | None = None


class StandardCreate(StandardBase):
    id: str | None = Field(None, description="defaults to the CASE identifier, else a new UUID")


class EssentialFlag(Schema):
    scope: Literal["course", "grade"]
    value: str = Field(min_length=1, max_length=255, description="a course sourcedId or a grade")


class StandardRead(StandardBase):
    id: str
    district_id: str
    essential_for: list[EssentialFlag] = Field(default_factory=list)
