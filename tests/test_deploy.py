"""Static deployment checks (Docker cannot run here): the compose file against the Compose Specification,
against the settings classes and against the image; the Dockerfile's stages and commands; hadolint and
compose-lint. The roles themselves are proven on real PostgreSQL by shared/tests/test_migrate.py.

deploy/compose-spec.json is the Compose Specification's JSON Schema (compose-spec/compose-spec,
schema/compose-spec.json at 170098ba, Apache-2.0), vendored so the check needs no network.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from plc_shared import cli, preflight
from plc_shared.components import ALL, PROCESSES, WEB, by_name
from plc_shared.settings import PLACEHOLDER_MARKERS, AdminDatabaseSettings, KafkaSettings, is_placeholder
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
ONE_SHOT = {"preflight", "migrate"}
LONG_RUNNING = sorted(set(SERVICES) - ONE_SHOT)
VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def dotenv(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#")
    )
    return {name: value for name, value in pairs}


ENV_EXAMPLE = dotenv(ROOT / ".env.example")


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution: ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?") and not current:
            raise KeyError(f"{name}: {arg}")
        return current or ""

    return VARIABLE.sub(substitute, value)


def real_values() -> dict[str, str]:
    """The operator's .env: .env.example with every placeholder replaced by a real (and awkward) secret."""
    return {
        name: (f"{name.lower()}-p@ss:w/rd%" if is_placeholder(value) else value)
        for name, value in ENV_EXAMPLE.items()
    }


def container_env(service: str, secrets_dir: Path, values: dict[str, str]) -> dict[str, str]:
    """The service's environment as compose gives it, with /run/secrets/<name> files written to secrets_dir."""
    spec = interpolate(SERVICES[service], values)
    for entry in spec.get("secrets", []):
        source = entry if isinstance(entry, str) else entry["source"]
        target = entry if isinstance(entry, str) else entry.get("target", source)
        secret_env = COMPOSE["secrets"][source]["environment"]
        (secrets_dir / target).parent.mkdir(parents=True, exist_ok=True)
        (secrets_dir / target).write_text(values[secret_env])
    return {k: str(v).replace("/run/secrets/", f"{secrets_dir}/") for k, v in spec["environment"].items()}


def load_settings(cls, env: dict[str, str], monkeypatch):
    """Instantiate a settings class on exactly `env` (nothing leaks in from the test's own environment)."""
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "AUTH_", "PLC_")) or any(
            name.startswith(c.env_prefix) for c in PROCESSES
        ):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls()


# --- the compose file ---------------------------------------------------------------------------------------


def test_compose_matches_the_compose_specification():
    schema = json.loads((ROOT / "deploy" / "compose-spec.json").read_text())
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(COMPOSE)
    ]
    assert not errors
    interpolated = interpolate(COMPOSE, real_values())
    assert not list(jsonschema.Draft7Validator(schema).iter_errors(interpolated))


def test_env_example_names_every_variable_the_compose_file_uses():
    used = {m.group("name") for m in VARIABLE.finditer(COMPOSE_TEXT) if m.group("name")}
    used |= {secret["environment"] for secret in COMPOSE["secrets"].values()}
    assert used <= set(ENV_EXAMPLE), f"missing from .env.example: {used - set(ENV_EXAMPLE)}"
    with pytest.raises(KeyError):  # a required variable left out stops compose
        interpolate(COMPOSE, {k: v for k, v in real_values().items() if k != "AUTH_ISSUER"})


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_health_checks_restart_policies_and_limits(name):
    spec = SERVICES[name]
    assert spec["restart"] in ("unless-stopped", "always")
    assert spec["healthcheck"]["test"] and spec["healthcheck"]["interval"]
    limits = spec["deploy"]["resources"]["limits"]
    assert limits["cpus"] and limits["memory"]
    assert "no-new-privileges:true" in spec["security_opt"]
    assert spec.get("cap_drop") == ["ALL"]


@pytest.mark.parametrize("name", sorted(ONE_SHOT))
def test_one_shot_steps_run_once_within_limits(name):
    spec = SERVICES[name]
    assert spec["restart"] == "no"
    assert spec["deploy"]["resources"]["limits"]["memory"]


def test_every_dependency_waits_for_a_condition():
    for name, spec in SERVICES.items():
        for dependency, how in spec.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert how["condition"] == expected, f"{name} → {dependency}"
    assert set(SERVICES["postgres"]["depends_on"]) == {"preflight"}
    assert set(SERVICES["kafka"]["depends_on"]) == {"preflight"}


def test_state_lives_in_named_volumes():
    assert SERVICES["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql"]
    assert SERVICES["kafka"]["volumes"] == ["kafkadata:/var/lib/kafka/data"]
    assert set(COMPOSE["volumes"]) == {"pgdata", "kafkadata"}


def test_images_are_pinned_to_exact_versions():
    # major.minor.patch, or PostgreSQL's major.minor (its full version since 10); a digest may follow.
    exact = re.compile(r"^([\w./-]+:v?\d+\.\d+\.\d+|postgres:\d+\.\d+)([-.][\w.-]+)?(@sha256:[0-9a-f]{64})?$")
    images = {name: interpolate(spec["image"], {}) for name, spec in SERVICES.items()}
    for name, image in images.items():
        assert exact.match(image), f"{name}: {image} is not pinned to an exact version"
    project_version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert images["gateway"] == f"plc-suite:{project_version}"
    for line in re.findall(r"^(?:ARG PYTHON_IMAGE=|FROM )(\S+)", DOCKERFILE, re.M):
        if line not in ("${PYTHON_IMAGE}",):
            assert exact.match(line.split(" ")[0]), f"Dockerfile: {line} is not pinned"


def test_the_kafka_ui_is_optional_and_read_only():
    ui = SERVICES["kafka-ui"]
    assert ui["profiles"] == ["ui"]
    assert ui["environment"]["KAFKA_CLUSTERS_0_READONLY"] == "true"
    assert ui["environment"]["KAFKA_CLUSTERS_0_PROPERTIES_SASL_MECHANISM"] == "SCRAM-SHA-512"


# --- secrets and least privilege ----------------------------------------------------------------------------


def test_secrets_are_files_and_placeholders_stop_the_stack(tmp_path):
    for name, value in ENV_EXAMPLE.items():
        if name in {s["environment"] for s in COMPOSE["secrets"].values()}:
            assert is_placeholder(value), f".env.example must ship {name} as a placeholder"
    assert set(PLACEHOLDER_MARKERS) >= {"change-me"}
    # preflight sees every secret; with .env.example's values it fails, with real ones it passes
    assert {s if isinstance(s, str) else s["source"] for s in SERVICES["preflight"]["secrets"]} == set(
        COMPOSE["secrets"]
    )
    assert SERVICES["preflight"]["command"][-1] == "/run/secrets"
    for folder, values in (("example", ENV_EXAMPLE), ("real", real_values())):
        (tmp_path / folder).mkdir()
        for source, secret in COMPOSE["secrets"].items():
            (tmp_path / folder / source).write_text(values[secret["environment"]])
    assert preflight.main([str(tmp_path / "example")]) == 1
    assert preflight.main([str(tmp_path / "real")]) == 0
    # No secret is interpolated into any environment, except the optional Kafka UI's JAAS login line (a
    # third-party image that takes its client login from the environment only).
    secret_variables = {s["environment"] for s in COMPOSE["secrets"].values()}
    for name, spec in SERVICES.items():
        for key, value in spec.get("environment", {}).items():
            used = {m.group("name") for m in VARIABLE.finditer(str(value))} & secret_variables
            if name == "kafka-ui" and key == "KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG":
                assert used == {"KAFKA_CLIENT_PASSWORD"}
            else:
                assert not used, f"{name}: {key} holds a secret"


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_each_service_gets_only_its_own_database_role_and_secrets(component):
    spec = SERVICES[component.name]
    env, prefix = spec["environment"], component.env_prefix
    role = env[f"{prefix}DB_USER"]
    assert role == env[f"{prefix}DB_NAME"] == component.database
    assert role != "postgres"
    assert set(spec["secrets"]) <= {
        f"{component.name}_db_password",
        "kafka_client_password",
        "gateway_internal_signing_key",
    }
    assert f"{component.name}_db_password" in spec["secrets"]
    others = {c.database for c in ALL} - {role}
    assert (
        role not in others
        and len({SERVICES[c.name]["environment"][f"{c.env_prefix}DB_USER"] for c in ALL}) == 5
    )
    assert "postgres_admin_password" in SERVICES["migrate"]["secrets"]
    assert not any("PLC_POSTGRES_ADMIN" in name for name in env)


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_every_setting_the_class_needs_is_provided_and_loads_in_production(component, tmp_path, monkeypatch):
    values = real_values()
    env = container_env(component.name, tmp_path, values)
    cls = __import__(f"{component.name}.config", fromlist=["Settings"]).Settings
    required = {f"{component.env_prefix}{n}".upper() for n, f in cls.model_fields.items() if f.is_required()}
    assert required <= set(env)
    settings = load_settings(cls, env, monkeypatch)
    url = make_url(settings.database_url)
    assert (url.host, url.username, url.database) == ("postgres", component.database, component.database)
    assert url.password == values[f"{component.name.upper()}_DB_PASSWORD"]  # escaped in, intact out
    assert settings.auth.environment == "production"
    assert settings.kafka.security_protocol == "SASL_PLAINTEXT" and settings.kafka.enable_idempotence
    assert settings.kafka.sasl_password.get_secret_value() == values["KAFKA_CLIENT_PASSWORD"]
    assert settings.kafka.partitions == json.loads(values["KAFKA_PARTITIONS"])
    if component.name == "gateway":
        assert settings.internal_signing_key.get_secret_value() == values["GATEWAY_INTERNAL_SIGNING_KEY"]


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_placeholder_secrets_refuse_to_load(component, tmp_path, monkeypatch):
    env = container_env(
        component.name,
        tmp_path,
        {**real_values(), **{k: v for k, v in ENV_EXAMPLE.items() if "DB_PASSWORD" in k}},
    )
    cls = __import__(f"{component.name}.config", fromlist=["Settings"]).Settings
    with pytest.raises(ValueError, match="placeholder"):
        load_settings(cls, env, monkeypatch)


def test_the_web_app_loads_in_production_on_its_own_database_role(tmp_path, monkeypatch):
    from web.config import Settings

    values = real_values()
    settings = load_settings(Settings, container_env("web", tmp_path, values), monkeypatch)
    url = make_url(settings.database_url)
    assert (url.host, url.username, url.database) == ("postgres", WEB.database, WEB.database)
    assert url.password == values["WEB_DB_PASSWORD"]  # escaped in, intact out
    assert settings.auth.environment == "production" and not settings.dev_sign_in and settings.secure_cookies
    assert settings.session_secret.get_secret_value() == values["WEB_SESSION_SECRET"]
    placeholder = {**values, "WEB_DB_PASSWORD": ENV_EXAMPLE["WEB_DB_PASSWORD"]}
    with pytest.raises(ValueError, match="placeholder"):
        load_settings(Settings, container_env("web", tmp_path / "p", placeholder), monkeypatch)


def test_the_migration_step_builds_every_url_it_provisions(tmp_path, monkeypatch):
    env = container_env("migrate", tmp_path, real_values())
    load_settings(KafkaSettings, env, monkeypatch)
    for component in PROCESSES:
        url = make_url(cli.default_database_url(component))
        assert (url.username, url.database) == (component.database, component.database)
    admin = make_url(AdminDatabaseSettings().admin_url())
    assert (admin.host, admin.username, admin.password) == (
        "postgres",
        "postgres",
        real_values()["POSTGRES_ADMIN_PASSWORD"],
    )


def test_migrate_and_topics_are_real_commands():
    command = SERVICES["migrate"]["command"]
    assert command[:2] == ["sh", "-c"] and command[2] == "plc migrate && plc topics"
    for sub in ("migrate", "topics"):
        cli.parser().parse_args([sub])


# --- Kafka --------------------------------------------------------------------------------------------------


def test_kafka_requires_scram_and_gets_every_variable_its_script_reads():
    script = (ROOT / "deploy" / "kafka" / "start.sh").read_text()
    kafka = SERVICES["kafka"]
    assert kafka["entrypoint"] == ["sh", "/opt/plc/kafka-start.sh"]
    assert COMPOSE["configs"]["kafka_start"]["file"] == "./deploy/kafka/start.sh"
    read = set(re.findall(r"\$\{(KAFKA_[A-Z_]+)\}", script))
    assert read <= set(kafka["environment"]), read - set(kafka["environment"])
    assert "listeners=SASL_PLAINTEXT://:9092,CONTROLLER://localhost:9093" in script
    assert "sasl.enabled.mechanisms=SCRAM-SHA-512" in script
    assert "auto.create.topics.enable=false" in script
    assert "--add-scram" in script and "/run/secrets/kafka_admin_password" in script
    assert set(kafka["secrets"]) == {"kafka_admin_password", "kafka_client_password"}
    assert "admin.properties" in " ".join(kafka["healthcheck"]["test"])


# --- the image ----------------------------------------------------------------------------------------------


def stages() -> dict[str, str]:
    parts = re.split(r"^FROM ", DOCKERFILE, flags=re.M)[1:]
    return {re.match(r"\S+ AS (\w+)", p).group(1): p for p in parts}


def test_dockerfile_builds_wheels_and_runs_a_slim_non_root_runtime():
    found = stages()
    assert list(found) == ["uv", "builder", "runtime"]
    builder, runtime = found["builder"], found["runtime"]
    assert "uv build --all-packages --wheel" in builder
    assert "--require-hashes" in builder and "--no-dev" in builder
    assert "--editable" not in DOCKERFILE and "uv sync" not in DOCKERFILE
    assert "migrations" in builder  # shipped beside each installed package
    assert re.search(r"^USER (\d+)", runtime, re.M).group(1) != "0"
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    for tool in ("uv ", "pip ", "apt-get", "gcc", "build-essential"):
        assert tool not in runtime, f"{tool.strip()} in the runtime stage"
    assert runtime.startswith("${PYTHON_IMAGE} AS runtime")


def test_dockerfile_command_starts_every_component():
    """The image starts a process as `plc up` does: plc_shared.serving (uvicorn with the request-head bounds)
    on the component's factory, `<name>.main:create_app` (this replaced a plain `uvicorn --factory` line)."""
    cmd = json.loads(re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1))
    assert cmd[:2] == ["sh", "-c"] and cmd[-1].startswith("exec python -m plc_shared.serving")
    assert '"${COMPONENT}"' in cmd[-1] and "--host 0.0.0.0 --port 8000" in cmd[-1]
    for component in ALL:
        served = " ".join(component.serve_command("10.0.0.1", 8000)[1:])
        assert served == f"-m plc_shared.serving {component.name} --host 10.0.0.1 --port 8000"
        assert by_name(component.name).app == f"{component.name}.main:create_app"
        module = __import__(f"{component.name}.main", fromlist=["create_app"])
        assert callable(module.create_app)
        assert (component.project_dir / "migrations" / "env.py").exists()


def test_hadolint_passes():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--failure-threshold", "style", "deploy/Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_lint_passes():
    compose_lint = Path(sys.executable).parent / "compose-lint"
    result = subprocess.run(
        [str(compose_lint), "check", "--fail-on", "low", "--strict-config", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
