"""SQL of rubric versions."""

from __future__ import annotations

import uuid
from typing import Any

from plc_shared.db import Repository
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from reviews import models


class RubricRepository(Repository[models.Rubric]):
    model = models.Rubric

    async def versions(self, district_id: str) -> list[models.Rubric]:
        return await self.list(models.Rubric.district_id == district_id, order_by=(models.Rubric.version,))

    async def latest(self, district_id: str) -> models.Rubric | None:
        found = await self.list(
            models.Rubric.district_id == district_id, order_by=(models.Rubric.version.desc(),), limit=1
        )
        return found[0] if found else None

    async def next_version(self, district_id: str) -> int:
        stmt = select(func.coalesce(func.max(models.Rubric.version), 0)).where(
            models.Rubric.district_id == district_id
        )
        return int(await self.session.scalar(stmt)) + 1

    async def add_if_absent(self, district_id: str, id_: uuid.UUID, name: str, body: dict[str, Any]) -> None:
        """Concurrent first uses of a district's default rubric insert it once."""
        row = {"district_id": district_id, "id": id_, "version": 1, "name": name, "body": body}
        await self.session.execute(insert(models.Rubric).values(row).on_conflict_do_nothing())
