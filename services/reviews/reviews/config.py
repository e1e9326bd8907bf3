"""Settings of the reviews service (env prefix REVIEWS_; Kafka and auth settings are shared: KAFKA_*, AUTH_*),
with the recognition process's domain defaults."""

from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends, Request
from plc_shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")

    service_name: str = "reviews"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_reviews"
    # Exemplary needs an achievement criterion besides the rubric: the percent of summative results at or above
    # their cut (from result events), the percent of the school's SMART goals decided that year that were
    # achieved (from goals events), or an externally entered state-accountability result; the threshold is a
    # percent for the first two.
    achievement_criterion: Literal["percent_proficient", "goals_achieved", "state_result"] = (
        "percent_proficient"
    )
    achievement_threshold: float = Field(70.0, ge=0, le=100)
    # Sustaining Exemplary: a later site review at least this many school years after the Exemplary one.
    sustaining_years_apart: int = Field(3, ge=1, le=10)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def _settings_of(request: Request) -> Settings:
    return request.app.state.settings


CurrentSettings = Annotated[Settings, Depends(_settings_of)]
