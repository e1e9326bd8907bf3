"""The web app's one table: sessions. The cookie holds an opaque random id; the row, found by that id's
SHA-256, holds the user's API token sealed with a key derived from the id itself (web.sessions), so neither a
copy of the table nor the table with the app's secret yields a token or a cookie."""

from __future__ import annotations

from datetime import datetime

from plc_shared.db import make_metadata
from sqlalchemy import DateTime, Index, LargeBinary, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


class WebSession(Base):
    """A signed-in browser. Ended by sign-out (deleted), or past `expires_at` / idle too long (then pruned)."""

    __tablename__ = "sessions"

    id_sha256: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # nonce + AES-GCM of {"token", "name"}
    subject: Mapped[str] = mapped_column(Text)  # the token's `sub`: an id, for operators; never a name
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_sessions_expires_at", "expires_at"),)
