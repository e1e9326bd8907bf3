"""SQL of site reviews."""

from __future__ import annotations

import uuid

from plc_shared.db import Repository
from sqlalchemy import and_, or_

from reviews import models

R = models.Review


class ReviewRepository(Repository[models.Review]):
    model = R

    async def of_school(self, district_id: str, school_id: str) -> list[models.Review]:
        return await self.list(
            R.district_id == district_id, R.school_id == school_id, order_by=(R.on, R.version, R.created_at)
        )

    async def previous_finalized(self, review: models.Review) -> models.Review | None:
        """The school's latest finalized, current (not superseded) review before this one (a correction's
        previous is not the review it corrects)."""
        found = await self.list(
            R.district_id == review.district_id,
            R.school_id == review.school_id,
            R.status == "finalized",
            R.superseded_by_id.is_(None),
            R.id != review.id,
            or_(R.on < review.on, and_(R.on == review.on, R.created_at < review.created_at)),
            *([R.id != review.corrects_id] if review.corrects_id else []),
            order_by=(R.on.desc(), R.created_at.desc()),
            limit=1,
        )
        return found[0] if found else None

    async def get_review(
        self, district_id: str, review_id: uuid.UUID, *, for_update: bool = False
    ) -> models.Review | None:
        """A change (rate, submit, finalize, correct) locks the row: two finalizations cannot both pass."""
        if for_update:
            return await self.session.get(R, (district_id, review_id), with_for_update=True)
        return await self.get_in_district(district_id, review_id)
