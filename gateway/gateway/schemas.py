"""Request and response bodies of the gateway's own routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from plc_shared.schemas import Schema
from pydantic import Field, field_validator

from gateway.routes import Permission


class ApiKeyBase(Schema):
    name: str = Field(min_length=1, max_length=200, description="What the key is for, e.g. the SIS name")
    permissions: list[Permission] = Field(min_length=1, description="What the key may do (the routes' rows)")


class ApiKeyCreate(ApiKeyBase):
    @field_validator("permissions")
    @classmethod
    def _once_each(cls, value: list[Permission]) -> list[Permission]:
        return sorted(set(value))


class ApiKeyRead(ApiKeyBase):
    id: uuid.UUID
    prefix: str
    district_id: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself: shown once, never stored")


class AuditRead(Schema):
    id: int
    at: datetime
    request_id: str
    subject: str
    role: str
    api_key_prefix: str | None
    district_id: str | None
    caller_district_id: str | None
    school_id: str | None
    method: str
    path: str
    query: str | None
    status: int
    duration_ms: float | None
