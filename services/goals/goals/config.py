"""Settings of the goals service (env prefix GOALS_; Kafka and auth settings are shared: KAFKA_*, AUTH_*)."""

from functools import lru_cache

from plc_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOALS_", extra="ignore")

    service_name: str = "goals"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_goals"
    # How often each replica looks for active goals past their deadline to settle (achieved / missed).
    settle_interval_s: float = 60.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
