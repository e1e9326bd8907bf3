"""The goals service's one router (prefix /v1, mounted under /goals): the sub-domains' routes."""

from fastapi import APIRouter

from goals.plans import endpoints as plans
from goals.process import endpoints as process
from goals.progress import endpoints as progress
from goals.teams import endpoints as teams

router = APIRouter(prefix="/v1")
for sub in (teams.router, plans.router, progress.router, process.router):
    router.include_router(sub)
