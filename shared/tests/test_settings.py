"""Production settings: URLs from escaped parts, secrets from files, SASL for every Kafka client, no placeholders."""

from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from plc_shared.kafka import make_producer
from plc_shared.settings import AdminDatabaseSettings, AuthSettings, KafkaSettings, ServiceSettings
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

AWKWARD = "p@ss:w/rd%#?&=é "


class Demo(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")

    service_name: str = "demo"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_demo"


PRODUCTION = AuthSettings(environment="production", jwks_url="http://issuer/jwks", dev_signing_key=None)


def secret_file(tmp_path: Path, value: str) -> Path:
    path = tmp_path / "secret"
    path.write_text(value + "\n")
    return path


def test_the_url_is_built_from_parts_with_the_password_escaped(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_DB_HOST", "db.internal")
    monkeypatch.setenv("DEMO_DB_USER", "plc_demo")
    monkeypatch.setenv("DEMO_DB_PASSWORD_FILE", str(secret_file(tmp_path, AWKWARD)))
    url = make_url(Demo().database_url)
    assert (url.host, url.port, url.username, url.database) == ("db.internal", 5432, "plc_demo", "plc_demo")
    assert url.password == AWKWARD
    assert AWKWARD not in Demo().database_url  # escaped, never pasted


def test_a_missing_secret_file_is_a_settings_error(tmp_path):
    with pytest.raises(ValidationError, match="cannot read the secret file"):
        KafkaSettings(sasl_password_file=tmp_path / "absent")


def test_without_parts_the_url_is_used_as_given():
    assert Demo().database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_demo"


def test_an_empty_file_variable_means_no_file(monkeypatch):
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "from-env")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", "")
    assert KafkaSettings().sasl_password.get_secret_value() == "from-env"


def test_admin_settings_come_from_a_url_or_parts(tmp_path, monkeypatch):
    assert AdminDatabaseSettings().admin_url() is None
    monkeypatch.setenv("PLC_POSTGRES_ADMIN_DB_HOST", "postgres")
    monkeypatch.setenv("PLC_POSTGRES_ADMIN_DB_PASSWORD_FILE", str(secret_file(tmp_path, AWKWARD)))
    url = make_url(AdminDatabaseSettings().admin_url())
    assert (url.username, url.password, url.database) == ("postgres", AWKWARD, "postgres")


async def test_sasl_scram_reaches_producer_consumer_and_admin(tmp_path):
    kafka = KafkaSettings(
        security_protocol="SASL_PLAINTEXT",
        sasl_username="plc-services",
        sasl_password_file=secret_file(tmp_path, AWKWARD),
    )
    options = kafka.client_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == AWKWARD
    producer = make_producer(kafka)
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"
    assert producer.client._security_protocol == "SASL_PLAINTEXT"
    consumer = AIOKafkaConsumer(**options)
    assert consumer._client._sasl_plain_username == "plc-services"
    admin = AIOKafkaAdminClient(**options)
    assert admin._client._sasl_plain_password == AWKWARD


def test_sasl_over_tls_gets_an_ssl_context():
    kafka = KafkaSettings(security_protocol="SASL_SSL", sasl_username="u", sasl_password="p")
    assert kafka.client_options()["ssl_context"] is not None


def test_sasl_without_credentials_is_refused():
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME"):
        KafkaSettings(security_protocol="SASL_PLAINTEXT")


def test_local_defaults_are_unchanged():
    assert KafkaSettings().client_options() == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }


def test_partitions_are_a_setting(monkeypatch):
    monkeypatch.setenv("KAFKA_PARTITIONS", '{"plc.assessments.results": 48}')
    assert KafkaSettings().partitions == {"plc.assessments.results": 48}


@pytest.mark.parametrize(
    "overrides",
    [
        {"db_host": "postgres", "db_password": "change-me-assessments"},
        {
            "kafka": KafkaSettings(
                security_protocol="SASL_PLAINTEXT", sasl_username="u", sasl_password="CHANGEME"
            )
        },
    ],
)
def test_production_refuses_placeholder_secrets(overrides):
    with pytest.raises(ValidationError, match="placeholder"):
        Demo(auth=PRODUCTION, **overrides)


def test_dev_accepts_placeholders_and_production_real_secrets():
    Demo(db_host="postgres", db_password="change-me")
    Demo(auth=PRODUCTION, db_host="postgres", db_password="s3cret-from-a-vault")


@pytest.mark.parametrize("value", ["test", "staging", "Production", ""])
def test_the_auth_environment_is_dev_or_production_and_nothing_else(value, monkeypatch):
    """`test` once meant "not production": dev sign-in with the public dev key. Any value but the two is
    refused at start, never taken as one of them."""
    monkeypatch.setenv("AUTH_ENVIRONMENT", value)
    with pytest.raises(ValidationError, match="environment"):
        AuthSettings()
    monkeypatch.setenv("AUTH_ENVIRONMENT", "dev")
    assert AuthSettings().environment == "dev"
