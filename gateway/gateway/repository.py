"""SQL of the gateway's own routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from plc_shared.db import Repository
from sqlalchemy import or_, select

from gateway.models import ApiKey, AuditEntry


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    async def in_district(self, district_id: str) -> list[ApiKey]:
        return await self.list(ApiKey.district_id == district_id, order_by=(ApiKey.created_at,))

    async def get_in_district(self, key_id: uuid.UUID, district_id: str) -> ApiKey | None:
        key = await self.get(key_id)
        return key if key is not None and key.district_id == district_id else None


class AuditRepository(Repository[AuditEntry]):
    model = AuditEntry

    async def search(
        self,
        *,
        district_id: str,
        subject: str | None,
        method: str | None,
        path_prefix: str | None,
        status: int | None,
        since: datetime | None,
        until: datetime | None,
        before_id: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        stmt = select(AuditEntry).where(
            or_(AuditEntry.district_id == district_id, AuditEntry.caller_district_id == district_id)
        )
        if subject:
            stmt = stmt.where(AuditEntry.subject == subject)
        if method:
            stmt = stmt.where(AuditEntry.method == method.upper())
        if path_prefix:
            stmt = stmt.where(AuditEntry.path.startswith(path_prefix, autoescape=True))
        if status is not None:
            stmt = stmt.where(AuditEntry.status == status)
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        if until is not None:
            stmt = stmt.where(AuditEntry.at < until)
        if before_id is not None:
            stmt = stmt.where(AuditEntry.id < before_id)
        stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit)
        return list((await self.session.scalars(stmt)).all())
