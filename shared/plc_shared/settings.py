"""Settings shared by every process. Each service adds one class with its own env prefix.

Infrastructure settings that several processes share (Kafka, auth) have their own prefix so one
`KAFKA_BOOTSTRAP_SERVERS` points every service at the same broker.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

DEV_SIGNING_KEY = "plc-dev-signing-key-not-for-production-use!"
# `.env.example` ships these markers in every secret; a production process refuses to start with one.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder")


class SecretFiles(BaseSettings):
    """Every field `<name>_file` names a file (a compose/Kubernetes secret) whose content becomes `<name>`.

    The file wins over the plain value, so a secret never has to sit in the environment itself.
    """

    @model_validator(mode="after")
    def _read_secret_files(self) -> Any:
        fields = type(self).model_fields
        for name in fields:
            path = getattr(self, name)
            # An empty `X_FILE=` (Path("") is ".") means no file, as an unset variable does.
            if name.endswith("_file") and name[: -len("_file")] in fields and path not in (None, Path()):
                try:
                    setattr(self, name[: -len("_file")], SecretStr(read_secret(path)))
                except OSError as exc:
                    raise ValueError(f"{name}: cannot read the secret file {path}: {exc.strerror}") from exc
        return self


def read_secret(path: Path | str) -> str:
    """A secret file's content without the trailing newline editors add."""
    return Path(path).read_text().rstrip("\r\n")


def is_placeholder(secret: SecretStr | str | None) -> bool:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return bool(value) and any(marker in value.lower() for marker in PLACEHOLDER_MARKERS)


class KafkaSettings(SecretFiles):
    # An empty variable counts as unset (compose passes `${KAFKA_PARTITIONS:-}` through as "").
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore", env_ignore_empty=True)

    bootstrap_servers: str = "127.0.0.1:9092"
    # Prefix for every topic name: lets several stacks (or test runs) share one broker.
    topic_prefix: str = ""
    # Apache Kafka: true. The local Tansu broker rejects InitProducerId, so `plc up` and tests turn it off.
    enable_idempotence: bool = True
    request_timeout_ms: int = 15_000
    # Topic creation: 1 for the local broker; 3 on a production Apache Kafka cluster.
    replication_factor: int = 1
    # How long a consumer's fetch may wait at the broker for data. Apache Kafka answers as soon as a record
    # arrives, whatever this is; the local Tansu broker answers only when the wait is over, so with
    # aiokafka's default (500 ms) every event waited about a tenth of a second more (measured: p50 115 ms
    # at 500, 18 ms at 100, 4 ms at 20). Idle consumers send one small fetch per wait.
    consumer_fetch_max_wait_ms: int = 50
    # Consumer group liveness. Apache Kafka's defaults (10 s session, 3 s heartbeat) suit a Kafka cluster,
    # whose brokers refuse sessions under 6 s. The local Tansu broker holds every JoinGroup for half the
    # session timeout (it waits for other members, in 1 s steps), so `plc up` and the tests use 2 s / 0.4 s
    # there: a consumer rejoins a restarted broker in about a second instead of five (issue 22).
    consumer_session_timeout_ms: int = 10_000
    consumer_heartbeat_interval_ms: int = 3_000
    # Partitions per topic, overriding the catalog's (plc_shared.topics), as JSON keyed by logical name:
    # KAFKA_PARTITIONS='{"plc.assessments.results": 48}'. Only used when a topic is created.
    partitions: dict[str, int] = Field(default_factory=dict)

    # Client security. PLAINTEXT for the local broker; SASL_PLAINTEXT or SASL_SSL with SCRAM in production.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    # CA bundle that signed the brokers' certificates (SSL/SASL_SSL); the system's CAs when unset.
    ssl_cafile: Path | None = None

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
            )
        return self

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def client_options(self) -> dict[str, Any]:
        """Connection options for every aiokafka client (producer, consumer, admin, metadata probe)."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL"):
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password.get_secret_value()  # type: ignore[union-attr]
        if self.security_protocol.endswith("SSL"):
            options["ssl_context"] = ssl.create_default_context(
                cafile=str(self.ssl_cafile) if self.ssl_cafile else None
            )
        return options


class EventSettings(BaseSettings):
    """Where the event catalog is published: every event's `dataschema` and every schema's `$id` point here.

    The gateway serves the catalog at `/events/` (asyncapi.json, schemas/<type>.json), so in a deployment
    this is the gateway's public URL + `/events/`. The default is the gateway of `plc up` on this machine
    (the committed files under deploy/events carry it); `plc up` sets it to the port it really chose.
    """

    model_config = SettingsConfigDict(env_prefix="EVENTS_", extra="ignore")

    catalog_url: str = "http://127.0.0.1:8000/events/"

    @model_validator(mode="after")
    def _ends_with_a_slash(self) -> EventSettings:
        if not self.catalog_url.endswith("/"):
            self.catalog_url += "/"
        return self


class AuthSettings(BaseSettings):
    """How a process verifies bearer JWTs: a dev HS256 key, or RS256/ES256 through an issuer's JWKS."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    # Only two worlds: `dev` (the dev HS256 key, `plc token`, the dev sign-in page) and `production`. Anything
    # else (a `test` or `staging` value once meant "not production", i.e. dev sign-in with the public dev key)
    # is refused at start rather than guessed at.
    environment: Literal["dev", "production"] = "dev"
    issuer: str = "plc-dev"
    audience: str = "plc-suite"
    jwks_url: str | None = None
    # Keys are cached; an unknown kid (key rotation) refetches the set at most once per cooldown.
    jwks_cache_seconds: float = 300
    jwks_refresh_cooldown_seconds: float = 10
    jwks_timeout_seconds: float = 5
    # HS256 shared key for local development and `plc token`; never accepted outside dev.
    dev_signing_key: SecretStr | None = SecretStr(DEV_SIGNING_KEY)
    leeway_seconds: int = 30
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> AuthSettings:
        if self.environment == "production":
            key = self.dev_signing_key.get_secret_value() if self.dev_signing_key else None
            if key == DEV_SIGNING_KEY:
                raise ValueError(
                    "AUTH_DEV_SIGNING_KEY still holds the development key; unset it in production"
                )
            if not self.jwks_url and not key:
                raise ValueError("production needs AUTH_JWKS_URL (or an explicit AUTH_DEV_SIGNING_KEY)")
        return self


def build_database_url(*, host: str, port: int, user: str, password: SecretStr | None, database: str) -> str:
    """A SQLAlchemy URL from parts, user and password percent-escaped (`@`, `:`, `/`, `%` are safe in them)."""
    url = URL.create(
        "postgresql+asyncpg",
        username=user,
        password=password.get_secret_value() if password else None,
        host=host,
        port=port,
        database=database,
    )
    return url.render_as_string(hide_password=False)


class DatabaseParts(SecretFiles):
    """`<PREFIX>DATABASE_URL` as one string (local dev), or built from parts with the password in a file."""

    database_url: str
    db_host: str | None = None
    db_port: int = 5432
    db_name: str | None = None  # default: the database of the default URL
    db_user: str | None = None
    db_password: SecretStr | None = None
    db_password_file: Path | None = None

    @model_validator(mode="after")
    def _database_url_from_parts(self) -> Any:
        if self.db_host:
            default = make_url(self.database_url)
            self.database_url = build_database_url(
                host=self.db_host,
                port=self.db_port,
                user=self.db_user or default.username or "postgres",
                password=self.db_password,
                database=self.db_name or default.database or "postgres",
            )
        return self


class AdminDatabaseSettings(DatabaseParts):
    """The PostgreSQL admin role, used by the migration step alone (`plc migrate`) to create each service's
    role and database: PLC_POSTGRES_ADMIN_URL, or PLC_POSTGRES_ADMIN_DB_HOST/_DB_USER/_DB_PASSWORD_FILE..."""

    model_config = SettingsConfigDict(env_prefix="PLC_POSTGRES_ADMIN_", extra="ignore")

    url: str | None = None
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

    def admin_url(self) -> str | None:
        if self.url:
            return self.url
        return self.database_url if self.db_host else None


class ServiceSettings(DatabaseParts):
    """Base for one service's settings; subclasses set `env_prefix` (ASSESSMENTS_, GOALS_, ...)."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    # Set false on processes that only serve HTTP (for example a dedicated relay/consumer split).
    run_relay: bool = True
    run_consumers: bool = True
    # Periodic jobs (plc_shared.periodic), e.g. goals settling goals past their deadline.
    run_periodic: bool = True
    relay_batch_size: int = 2_000
    relay_poll_interval_s: float = 0.05
    # How long published events stay in outbox_sent (re-published to a broker that lost them, `plc events
    # replay`) and events stay in the inboxes (duplicates recognised): <PREFIX>OUTBOX_RETENTION_DAYS.
    outbox_retention_days: float = Field(default=7.0, gt=0)
    consumer_max_attempts: int = 3
    # Events handled per transaction at most (one fetch, all partitions).
    consumer_batch_size: int = 1_000
    db_pool_size: int = 10
    log_level: str = "INFO"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        """Outside dev, a secret still holding `.env.example`'s placeholder stops the process at start."""
        if self.auth.environment == "dev":
            return self
        secrets = {
            f"{self.model_config.get('env_prefix', '')}DB_PASSWORD": make_url(self.database_url).password,
            "KAFKA_SASL_PASSWORD": self.kafka.sasl_password,
        }
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secrets[f"{self.model_config.get('env_prefix', '')}{name}".upper()] = value
        placeholders = sorted(name for name, value in secrets.items() if is_placeholder(value))
        if placeholders:
            raise ValueError(f"{', '.join(placeholders)} still hold a placeholder; set real secrets")
        return self
