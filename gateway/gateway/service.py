"""The gateway's own rules: API keys are a district admin's, for their district only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared.auth import Principal
from plc_shared.errors import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import new_api_key
from gateway.models import ApiKey
from gateway.repository import ApiKeyRepository
from gateway.schemas import ApiKeyCreate


async def create_api_key(
    session: AsyncSession, *, admin: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    key, prefix, digest = new_api_key()
    row = ApiKey(
        id=uuid.uuid4(),
        prefix=prefix,
        secret_sha256=digest,
        name=data.name,
        district_id=admin.district_id,
        permissions=data.permissions,
        created_by=admin.subject,
        created_at=datetime.now(UTC),
    )
    await ApiKeyRepository(session).add(row, flush=True)
    return row, key


async def revoke_api_key(session: AsyncSession, *, admin: Principal, key_id: uuid.UUID) -> ApiKey:
    row = await ApiKeyRepository(session).get_in_district(key_id, admin.district_id or "")
    if row is None:
        raise NotFound("No such API key in your district.")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row
