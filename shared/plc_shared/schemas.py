"""The base of every request and response body of every service (each service's `Schema` derives from it).

Text that PostgreSQL cannot store is refused here, where the error can name the field (and, in a list, the
row): a NUL character (U+0000) anywhere in a string, a list or a mapping of strings is a 422 for that field.
Numbers and dates are what the schema says they are: `false` is not a 0, and `0` is not 1970-01-01 (pydantic's
lax mode would take both).
"""

from __future__ import annotations

import functools
import re
import typing
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1  # an `integer` column
INT64_MAX = 2**63 - 1  # a `bigint` column, and LIMIT/OFFSET


def _not_a_number(value: Any) -> Any:
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        raise PydanticCustomError("date_type", "A date-time is an ISO 8601 string, not a number")
    return value


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# A date-time parameter (query, path): ISO 8601 only; pydantic would read `0.5` as seconds since 1970.
IsoDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, (bool, int, float)) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            kinds = _kinds(field.annotation) if field is not None else frozenset()
            if isinstance(value, bool) and bool not in kinds and kinds & {int, float}:
                raise PydanticCustomError("number_type", "A number is expected, not a boolean")
            if kinds & {date, datetime} and not kinds & {bool, int, float}:
                raise PydanticCustomError("date_type", "A date is an ISO 8601 string, not a number")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", "Text may not contain the NUL character (U+0000)")
        return value


@functools.lru_cache(maxsize=4096)
def _kinds(annotation: Any) -> frozenset:
    """The plain types an annotation admits (through Optional, unions, Annotated)."""
    args = typing.get_args(annotation)
    if not args:
        return frozenset({annotation}) if isinstance(annotation, type) else frozenset()
    if typing.get_origin(annotation) in (list, dict, set, tuple, frozenset):
        return frozenset()
    return frozenset().union(*(_kinds(arg) for arg in args))


def holds_nul(value: Any, depth: int = 0) -> bool:
    """A NUL in a string, or in the strings of a list, tuple, set or dict (models check their own fields)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(holds_nul(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(holds_nul(k, depth + 1) or holds_nul(v, depth + 1) for k, v in value.items())
    return False
