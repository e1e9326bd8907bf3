"""HTTP endpoints of the interventions service (thin: parse, call the service, return)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["interventions"])
