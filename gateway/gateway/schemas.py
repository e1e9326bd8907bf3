"""Request and response bodies of the gateway's own routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.routes import PERMISSIONS


class ApiKeyBase(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="What the key is for, e.g. the SIS name")
    permissions: list[str] = Field(min_length=1, description=f"Some of: {', '.join(sorted(PERMISSIONS))}")


class ApiKeyCreate(ApiKeyBase):
    @field_validator("permissions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown permissions: {', '.join(unknown)}")
        return sorted(set(value))


class ApiKeyRead(ApiKeyBase):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    prefix: str
    district_id: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself: shown once, never stored")


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
