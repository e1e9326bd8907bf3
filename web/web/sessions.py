"""Server-side sessions in the web app's own PostgreSQL database (`plc_web`).

Why PostgreSQL: the suite already runs it and backs it up; a session must survive a restart of the web app
and be the same on every replica behind the gateway (a process-local store would sign users out on each
deploy and on every other request with two replicas), and sign-out must end it everywhere at once, which a
cookie alone (the earlier design: the token inside a signed cookie) cannot do. Redis would add a service to
run for one small table.

- The cookie holds only an opaque id: 256 random bits (`secrets.token_urlsafe(32)`).
- The row is found by the id's SHA-256, so the table holds no usable cookie.
- The API token (with the display name) is sealed with AES-256-GCM (the `cryptography` package) under a key
  derived by HKDF from the id itself, salted with WEB_SESSION_SECRET: without the browser's cookie the row
  cannot be opened, even with the app's secret; the id's hash is the associated data, so a sealed value moved
  to another row does not open either.
- A session ends at sign-out (the row is deleted: the old cookie finds nothing), at its expiry (the first of
  WEB_SESSION_MAX_AGE_S after sign-in and the token's own `exp`) or after WEB_SESSION_IDLE_S without a
  request; `prune` deletes ended rows (a periodic job of every replica).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from web.models import WebSession

ID_BYTES = 32
ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) makes; any other cookie is not ours
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute per session
PRUNE_BATCH = 5_000


@dataclass(frozen=True)
class Opened:
    token: str
    name: str


class SessionStore:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], secret: str, *, max_age_s: int, idle_s: int
    ) -> None:
        self._sessionmaker, self._salt = sessionmaker, secret.encode()
        self.max_age, self.idle = timedelta(seconds=max_age_s), timedelta(seconds=idle_s)

    async def start(self, *, token: str, name: str, subject: str, token_exp: datetime) -> str:
        """A new session: its id, for the cookie (the only place it is kept)."""
        session_id = secrets.token_urlsafe(ID_BYTES)
        digest = _digest(session_id)
        now = datetime.now(UTC)
        row = WebSession(
            id_sha256=digest,
            sealed=self._seal(session_id, digest, {"token": token, "name": name}),
            subject=subject,
            created_at=now,
            last_seen_at=now,
            expires_at=min(now + self.max_age, token_exp),
        )
        async with self._sessionmaker() as session, session.begin():
            session.add(row)
        return session_id

    async def open(self, session_id: str) -> Opened | None:
        """The session's token and name while it lasts; None when it ended, never existed or was tampered."""
        if not is_session_id(session_id):
            return None
        digest, now = _digest(session_id), datetime.now(UTC)
        async with self._sessionmaker() as session, session.begin():
            row = await session.get(WebSession, digest)
            if row is None or row.expires_at <= now or now - row.last_seen_at > self.idle:
                return None
            if now - row.last_seen_at > TOUCH_EVERY:
                await session.execute(
                    update(WebSession).where(WebSession.id_sha256 == digest).values(last_seen_at=now)
                )
            return self._open(session_id, digest, row.sealed)

    async def end(self, session_id: str | None) -> None:
        """Sign-out: the row goes, so the cookie (wherever a copy of it is) opens nothing any more."""
        if not is_session_id(session_id):
            return
        async with self._sessionmaker() as session, session.begin():
            await session.execute(delete(WebSession).where(WebSession.id_sha256 == _digest(session_id)))

    async def prune(self, session: AsyncSession, now: datetime) -> int:
        """Delete a batch of ended sessions (a plc_shared.periodic job; safe on every replica at once)."""
        ended = (
            select(WebSession.id_sha256)
            .where(or_(WebSession.expires_at <= now, WebSession.last_seen_at < now - self.idle))
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        result = await session.execute(
            delete(WebSession).where(WebSession.id_sha256.in_(ended.scalar_subquery()))
        )
        return result.rowcount or 0

    def _key(self, session_id: str) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=self._salt, info=b"plc-web session token")
        return hkdf.derive(session_id.encode())

    def _seal(self, session_id: str, digest: bytes, payload: dict) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._key(session_id)).encrypt(nonce, json.dumps(payload).encode(), digest)

    def _open(self, session_id: str, digest: bytes, sealed: bytes) -> Opened | None:
        try:
            plain = AESGCM(self._key(session_id)).decrypt(sealed[:12], sealed[12:], digest)
        except InvalidTag:
            return None  # the secret changed (rotation signs everyone out), or the row was altered
        data = json.loads(plain)
        return Opened(data["token"], data["name"])


def is_session_id(value: str | None) -> bool:
    return value is not None and ID_SHAPE.fullmatch(value) is not None


def _digest(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()
