"""Settings of the interventions service (env prefix INTERVENTIONS_; Kafka and auth settings are shared: KAFKA_*, AUTH_*)."""

from functools import lru_cache

from plc_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVENTIONS_", extra="ignore")

    service_name: str = "interventions"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_interventions"


@lru_cache
def get_settings() -> Settings:
    return Settings()
