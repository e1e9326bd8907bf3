"""Standards bodies: a district's learning standards and their essential flags."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import ConfigDict, Field

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
    value: str = Field(min_length=1, description="a course sourcedId or a grade")


class StandardRead(StandardBase):
    id: str
    district_id: str
    essential_for: list[EssentialFlag] = Field(default_factory=list)


class _CaseBody(Schema):
    """A CASE document as published: fields of the format this import does not use are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CaseDocument(_CaseBody):
    identifier: str = Field(min_length=1)
    title: str = ""
    subject: list[str] | str | None = None  # CASE 1.0: a list; older OpenSALT exports: one string


class CaseItem(_CaseBody):
    identifier: str = Field(min_length=1)
    uri: str | None = None
    full_statement: str | None = Field(None, alias="fullStatement")
    human_coding_scheme: str | None = Field(None, alias="humanCodingScheme")
    education_level: list[str] | None = Field(None, alias="educationLevel")
    educational_level: str | None = Field(None, alias="educationalLevel")  # OpenSALT's pre-1.0 spelling


class CasePackage(_CaseBody):
    """A 1EdTech CASE 1.0 CFPackage (JSON binding): the framework's document and its items."""

    document: CaseDocument = Field(alias="CFDocument")
    items: list[CaseItem] = Field(default_factory=list, alias="CFItems", max_length=50_000)


class CaseItemSkipped(Schema):
    row: int = Field(description="the item's position in CFItems, from 1")
    identifier: str
    reason: str


class CaseImportReport(Schema):
    document: str = Field(description="the CFDocument's title")
    created: int
    updated: int
    unchanged: int
    skipped: list[CaseItemSkipped]
