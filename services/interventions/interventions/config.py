"""Settings of the interventions service (env prefix INTERVENTIONS_; Kafka and auth settings are shared: KAFKA_*, AUTH_*)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from plc_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict

from interventions.flags.rules import Escalation


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVENTIONS_", extra="ignore")

    service_name: str = "interventions"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_interventions"
    # Result events handled per transaction at most (one fetch): big batches are what absorbs a burst.
    consumer_batch_size: int = 5_000
    # Defaults for schools without their own rules (N, M, K of the escalation and overdue rules).
    escalation_open_flags: int = 3
    reflag_weeks: int = 6
    overdue_school_days: int = 5

    def escalation(self) -> Escalation:
        return Escalation(self.escalation_open_flags, self.reflag_weeks, self.overdue_school_days)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def _defaults(request: Request) -> Escalation:
    """The service's default escalation and overdue rules (settings), for schools without their own."""
    return request.app.state.settings.escalation()


Defaults = Annotated[Escalation, Depends(_defaults)]
