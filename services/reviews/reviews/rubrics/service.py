"""Rubric versions: the shipped default (version 1 of every district, copied on first use) and the versions
a district publishes after it. A version never changes once published; reviews keep theirs."""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import models
from reviews.exceptions import RubricNotFound
from reviews.rubrics import schemas
from reviews.rubrics.repository import RubricRepository

DEFAULT_NAMESPACE = uuid.UUID("5d6c1a3e-5f43-4c55-9b1e-7a0c2f6f3d21")


@cache
def default_body() -> dict[str, Any]:
    text = (Path(__file__).parent / "default_rubric.json").read_text()
    return schemas.RubricBody.model_validate(json.loads(text)).model_dump(mode="json")


async def current(session: AsyncSession, district_id: str) -> models.Rubric:
    """The district's latest version; the default becomes its version 1 the first time it is needed."""
    repo = RubricRepository(session)
    found = await repo.latest(district_id)
    if found is None:
        body = default_body()
        default_id = uuid.uuid5(DEFAULT_NAMESPACE, district_id)
        await repo.add_if_absent(district_id, default_id, body["name"], body)
        found = await repo.latest(district_id)
    assert found is not None
    return found


async def list_rubrics(session: AsyncSession, *, principal: Principal) -> list[schemas.RubricRead]:
    await current(session, principal.tenant)
    return [read(r) for r in await RubricRepository(session).versions(principal.tenant)]


async def current_rubric(session: AsyncSession, *, principal: Principal) -> schemas.RubricRead:
    return read(await current(session, principal.tenant))


async def get_rubric(session: AsyncSession, *, principal: Principal, rubric_id: uuid.UUID) -> models.Rubric:
    found = await RubricRepository(session).get_in_district(principal.tenant, rubric_id)
    if found is None:
        raise RubricNotFound(rubric_id)
    return found


async def publish(
    session: AsyncSession, *, principal: Principal, data: schemas.RubricBody
) -> schemas.RubricRead:
    district = principal.tenant
    repo = RubricRepository(session)
    await current(session, district)  # the default stays version 1
    rubric = models.Rubric(
        district_id=district,
        id=uuid.uuid4(),
        version=await repo.next_version(district),
        name=data.name,
        body=data.model_dump(mode="json"),
    )
    await repo.add(rubric, flush=True)
    await session.refresh(rubric)
    return read(rubric)


def read(rubric: models.Rubric) -> schemas.RubricRead:
    return schemas.RubricRead.model_validate(
        {**rubric.body, "id": rubric.id, "version": rubric.version, "published_at": rubric.published_at}
    )
