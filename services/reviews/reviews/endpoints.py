"""The reviews service's one router (prefix /v1, mounted under /reviews): the sub-domains' routes."""

from fastapi import APIRouter

from reviews.analytics import endpoints as analytics
from reviews.evidence import endpoints as evidence
from reviews.program import endpoints as program
from reviews.recognition import endpoints as recognition
from reviews.rubrics import endpoints as rubrics
from reviews.site_reviews import endpoints as site_reviews

router = APIRouter(prefix="/v1")
for sub in (
    rubrics.router,
    program.router,
    site_reviews.router,
    evidence.router,
    recognition.router,
    analytics.router,
):
    router.include_router(sub)
