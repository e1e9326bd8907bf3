"""Tables of the gateway database: API keys (hashed) and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from plc_shared.db import make_metadata
from sqlalchemy import ARRAY, BigInteger, DateTime, Identity, Index, Integer, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


class ApiKey(Base):
    """An integration's key. Only the sha256 of the secret is kept; `prefix` finds the row without it."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    prefix: Mapped[str] = mapped_column(Text, unique=True)
    secret_sha256: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    district_id: Mapped[str] = mapped_column(Text, index=True)
    permissions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One audited call: a write, or a read of student-level data (whatever its outcome)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    api_key_prefix: Mapped[str | None] = mapped_column(Text)
    # The district the request was for (as named in its path or query, else the caller's) and the caller's
    # own: an attempt on another district shows in both districts' logs.
    district_id: Mapped[str | None] = mapped_column(Text)
    caller_district_id: Mapped[str | None] = mapped_column(Text)
    school_id: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float | None]

    __table_args__ = (
        Index("ix_audit_log_district_id_at", "district_id", "at"),
        Index("ix_audit_log_caller_district_id_at", "caller_district_id", "at"),
    )
