"""The base of every request and response body of every service (each service's `Schema` derives from it).

What PostgreSQL cannot store is refused here, where the error can name the field (and, in a list, the row),
as a 422, never a 500 from the database:
- a NUL character (U+0000) or a lone UTF-16 surrogate (U+D800..U+DFFF, which JSON's `\ud800` escapes can
  carry and UTF-8 cannot encode) anywhere in a string, a list or a mapping of strings;
- a string longer than its limit: `ID_MAX` for an id (a field named `id`, `*_id` or `*_ids`; an index entry
  must fit a btree page), `TEXT_MAX` for any other text without a `max_length` of its own;
- a number that is not finite (`NaN`, `Infinity`, which Python's json accepts): `allow_inf_nan=False`.
The id limit is in the JSON Schema too (`maxLength`), so clients and the fuzzer see it.
Numbers and dates are what the schema says they are: `false` is not a 0, and `0` is not 1970-01-01 (pydantic's
lax mode would take both).

`Patch` is the base of PATCH bodies (JSON merge patch, RFC 7396): a field left out keeps its value, `null`
clears a field typed `X | None`, and is a 422 naming the field for one typed without `None`.
"""

from __future__ import annotations

import functools
import re
import typing
from datetime import date, datetime
from typing import Annotated, Any, Self, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1  # an `integer` column
INT64_MAX = 2**63 - 1  # a `bigint` column, and LIMIT/OFFSET
ID_MAX = 255  # an id (body field, path or query parameter)
TEXT_MAX = 10_000  # any other text without a limit of its own


def _not_a_number(value: Any) -> Any:
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        raise PydanticCustomError("date_type", "A date-time is an ISO 8601 string, not a number")
    return value


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# A date-time parameter (query, path): ISO 8601 only; pydantic would read `0.5` as seconds since 1970.
IsoDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
# The same with its UTC offset required (a time without one is ambiguous: a 422).
AwareIsoDateTime = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]


@functools.lru_cache(maxsize=4096)
def _limit_of(model: type[BaseModel], name: str | None) -> int:
    """A text field's own `max_length` (pydantic checks it), else ID_MAX for an id and TEXT_MAX for the rest."""
    field = model.model_fields.get(name or "")
    if field is not None and str in _kinds(field.annotation):
        own = [m.max_length for m in field.metadata if getattr(m, "max_length", None) is not None]
        own = own or _annotated_max_lengths(field.annotation)  # `Annotated[str, Field(max_length=…)] | None`
        if own:
            return own[0]
    return ID_MAX if is_id(name) else TEXT_MAX


def _annotated_max_lengths(annotation: Any) -> list[int]:
    found = []
    for arg in typing.get_args(annotation):
        for meta in getattr(arg, "__metadata__", ()):
            inner = [*getattr(meta, "metadata", ()), meta]  # a FieldInfo holds its constraints in .metadata
            found += [m.max_length for m in inner if getattr(m, "max_length", None) is not None]
    return found


@functools.lru_cache(maxsize=4096)
def _kinds(annotation: Any) -> frozenset:
    """The plain types an annotation admits (through Optional, unions, Annotated)."""
    args = typing.get_args(annotation)
    if not args:
        return frozenset({annotation}) if isinstance(annotation, type) else frozenset()
    if typing.get_origin(annotation) in (list, dict, set, tuple, frozenset):
        return frozenset()
    return frozenset().union(*(_kinds(arg) for arg in args))


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with each character PostgreSQL cannot store (NUL, a lone surrogate) replaced by U+FFFD: for what
    is recorded as it came (an audit entry's path), not refused."""
    return _UNSTORABLE.sub("\ufffd", text)


def is_id(name: str | None) -> bool:
    """An id by its name: `id`, `*_id`, `*_ids` (`sourced_id`, `student_id`, `class_ids`...), and a code
    (`code`, `*_code`: a standard's or an objective's, kept in keys and unique indexes)."""
    return name is not None and (
        name in ("id", "code") or name.endswith(("_id", "_ids", "Id", "Ids", "_code", "Code"))
    )


def text_problem(value: Any, limit: int, depth: int = 0) -> tuple[str, str, dict] | None:
    """(type, message, context) of the first string PostgreSQL cannot store or that is longer than `limit`,
    in a string or in the strings of a list, tuple, set or dict (models check their own fields); None if
    all are fine."""
    if isinstance(value, str):
        # An ASCII text without NUL (the common case, checked in C) has nothing the pattern looks for.
        found = None if value.isascii() and "\x00" not in value else _UNSTORABLE.search(value)
        if found is not None and found.group() == "\x00":
            return "nul_character", "Text may not contain the NUL character (U+0000)", {}
        if found is not None:
            return (
                "surrogate_character",
                "Text may not contain a lone surrogate (U+D800 to U+DFFF): it is not valid Unicode text",
                {},
            )
        if len(value) > limit:
            return (
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": limit},
            )
        return None
    if depth > 32:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        items = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return None
    for item in items:
        problem = text_problem(item, limit, depth + 1)
        if problem is not None:
            return problem
    return None


def _document_limits(schema: dict[str, Any], model: type) -> None:
    """`maxLength` ID_MAX on every id property that has none of its own. TEXT_MAX is enforced, not documented:
    documented, the fuzzer's coverage phase sends 10,000-character values everywhere (assessments' fuzz run
    then found 500s not yet analysed; see the branch report)."""
    for name, prop in schema.get("properties", {}).items():
        if is_id(name):
            limit_text(prop, ID_MAX)


def limit_text(prop: dict[str, Any], limit: int) -> None:
    if prop.get("type") == "string" and "format" not in prop and "enum" not in prop and "const" not in prop:
        prop.setdefault("maxLength", limit)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in prop.get(key, []):
            limit_text(option, limit)
    for key in ("items", "additionalProperties"):
        if isinstance(prop.get(key), dict):
            limit_text(prop[key], limit)
    if isinstance(prop.get("propertyNames"), dict):
        limit_text(prop["propertyNames"], limit)


def _document_patch(schema: dict[str, Any], model: type) -> None:
    """The limits, and no `default: null` on a field that may not be null (the JSON Schema would contradict
    itself, and a generator could send the default)."""
    _document_limits(schema, model)
    for prop in schema.get("properties", {}).values():
        nullable = any(option.get("type") == "null" for option in prop.get("anyOf", []))
        if prop.get("default", "") is None and not nullable:
            del prop["default"]


# Validation context of values read back from the service's own database (Schema.from_stored): they passed the
# input checks when they were written, so the per-field Python checks below are skipped (a district's 15,000
# students listed were 135,000 calls of them, most of the roster read; issue 25). Types are still validated.
STORED: dict[str, bool] = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return info.context is STORED


class Schema(BaseModel):
    model_config = ConfigDict(
        extra="forbid", from_attributes=True, allow_inf_nan=False, json_schema_extra=_document_limits
    )

    @classmethod
    def from_stored(cls, obj: Any) -> Self:
        """The model of a row the service stored (an ORM object or a Row), without the input checks."""
        return cls.model_validate(obj, context=STORED)

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        if _stored(info):
            return value
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
    def _storable_text(cls, value: Any, info: ValidationInfo) -> Any:
        if _stored(info):
            return value
        problem = text_problem(value, _limit_of(cls, info.field_name))
        if problem is not None:
            raise PydanticCustomError(*problem)
        return value


class Patch(Schema):
    """A PATCH body (JSON merge patch, RFC 7396): declare every field with a default of None; type it
    `X | None` when `null` may clear it, plain `X` when it may not (then `null` is a 422 naming the field)."""

    model_config = ConfigDict(json_schema_extra=_document_patch)

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if value is None and field is not None and type(None) not in _kinds(field.annotation):
            raise PydanticCustomError(
                "null_not_allowed",
                "`{field}` cannot be null (it cannot be cleared); leave it out to keep its value",
                {"field": info.field_name},
            )
        return value


M = TypeVar("M", bound=BaseModel)


def merge_patch(model: type[M], current: dict[str, Any], patch: Patch) -> M:
    """The stored `current` with a PATCH body applied (RFC 7396), validated as a whole: what the result breaks
    (a rule across fields) is a 422 naming the body's fields, as a schema error is."""
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
