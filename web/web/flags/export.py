"""The open flags as CSV (the flags page's filters, the same user's scope): one row per flag, names where the page
shows them, for a team's meeting. Every open flag: the API's pages one after the other (Api.every)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.auth import CurrentUser
from web.client import UserApi
from web.export import csv_response, percent
from web.flags.service import IV, FlagFilters
from web.roster import names_for

router = APIRouter(tags=["flags"])
HEADER = ("Student", "Classes", "Standard", "Kind", "Tier", "Score %", "Cut %", "Opened on", "Days open")


@router.get("/flags/export.csv")
async def flags_export(
    request: Request,
    user: CurrentUser,
    api: UserApi,
    school_id: str,
    class_id: str | None = None,
    standard_id: str | None = None,
    tier: Annotated[str | None, Query(pattern="^[123]?$")] = None,
    kind: Annotated[str | None, Query(pattern="^(support|enrichment)?$")] = None,
) -> Response:
    filters = FlagFilters(
        school_id, class_id or None, standard_id or None, int(tier) if tier else None, kind or None
    )
    flags, names = await asyncio.gather(
        api.every(
            f"{IV}/flags", status="open", limit=request.app.state.settings.export_page_size, **filters.query()
        ),
        names_for(api, school_id),
    )
    rows = [
        (names.student(f["student_id"]), ", ".join(names.class_title(c) for c in f["class_ids"]),
         names.standard(f["standard_id"]), f["kind"], f["tier"], percent(f["score"]), percent(f["cut"]),
         f["opened_at"][:10], round(f["age_days"]))
        for f in sorted(flags, key=lambda f: (names.student(f["student_id"]), f["standard_id"]))
    ]  # fmt: skip
    return csv_response(f"{names.school(school_id)}-open-flags", (HEADER, rows))
