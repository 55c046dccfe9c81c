"""Shared fixtures: real model, real Qdrant (Edge, and qdrant-client local mode), real files."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import pytest

from core import offline

offline.set_env()

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"
# (question, document that answers it, a fact the answer holds) for every file of sample_docs.
SAMPLE_QUESTIONS = [
    ("How many days of paid annual leave do employees get?", "employee-handbook.md", "27 days"),
    ("What does error code E-17 mean on the robot?", "porter-h2-manual.pdf", "Lidar obstruction"),
    ("How much does the dock charger cost?", "price-list-2026.csv", "3200"),
    ("Who owns the migration from Jenkins to GitLab CI?", "meeting-notes-2026-09-14.txt", "Aiko Tanaka"),
    ("How long is the warranty on a Porter robot?", "support-faq.html", "3-year warranty"),
    ("How quickly must I report a security incident?", "security-policy.docx", "within 1 hour"),
    ("What was the revenue in the third quarter?", "q3-2026-all-hands.pptx", "4.2 million"),
    ("Where do I collect my badge on the first day?", "onboarding-welcome.eml", "reception"),
    ("What is the hotel cap in Lyon?", "travel-policy.md", "150"),
    ("How many employees work in the Porto office?", "office-locations.csv", "Porto"),
    ("Why was the fleet dashboard down in August?", "incident-postmortem-2026-08.txt", "TLS certificate"),
    ("Which firmware fixed robots stopping at glass doors?", "release-notes-fw-4-1.html", "glass doors"),
    (
        "Which customer reported robots stuck at the cold-storage door?",
        "customer-escalation.eml",
        "Fresh Market",
    ),
    ("How many operating hours does robot PH2-0148 have?", "fleet-inventory.xlsx", "4120"),
    ("Where do we gather during the fire drill?", "fire-drill-2026-11.msg", "assembly point B"),
    ("How much does the Fleet Supervisor course cost?", "customer-training-2027.odt", "1,200 euros"),
    ("What colour is a visitor's badge?", "visitor-policy.rtf", "red badge"),
    ("How do I keep robots out of an area of the map?", "fleet-manager-guide.epub", "no-go zone"),
    # Asked in the documents' own languages (issue 17: each analysed by its own stemmer and stopwords).
    ("Combien de jours par semaine peut-on télétravailler ?", "politique-teletravail.md", "trois jours"),
    ("Wie lange dauert das Laden eines entladenen Akkus?", "ladestation-dc2.html", "90 Minuten"),
]

# Names of exception classes, memory addresses or tracebacks: none may reach a person in a message.
INTERNALS = re.compile(r"\b\w*(Error|Exception|Warning)\b|0x[0-9a-fA-F]{4,}|Traceback")

SHARED_DATA = Path(os.environ.get("RAG_TEST_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when the shared data is not beside the checkout."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (third-party test data kept beside the checkout in ../shared/data)")
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    from core.encode.dense import packaged_model_path

    return packaged_model_path()


MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export for the whole run (a few seconds) instead of one per data directory."""
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def embedder(model_path: Path, onnx_cache: Path):
    """The product's default embedder (ONNX int8), loaded once."""
    from core.encode.onnx import OnnxEmbedder

    e = OnnxEmbedder(model_path, MODEL_NAME, cache_dir=onnx_cache, threads=2)
    e.warm_up()
    return e


@pytest.fixture(scope="session")
def torch_embedder(model_path: Path):
    """The reference: sentence-transformers on torch."""
    from core.encode.dense import SentenceTransformerEmbedder

    e = SentenceTransformerEmbedder(model_path, MODEL_NAME, threads=2)
    e.warm_up()
    return e


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, onnx_cache: Path):
    from core.settings import load_settings

    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_EMBEDDING__CACHE_DIR", str(onnx_cache))  # for subprocesses too
    return load_settings(data_dir=tmp_path / "data")


def _embedder_key(e) -> tuple:  # noqa: ANN001 - any LocalEmbedder
    """What decides an in-process embedder's vectors and speed: two with the same key are interchangeable."""
    attrs = ("model_path", "model_name", "dim", "batch_size", "threads", "max_seq_length", "cache_dir")
    return (type(e), *(getattr(e, a, None) for a in attrs))


@pytest.fixture(scope="session")
def sharing_runtime(embedder, parser, parser_pool) -> type:
    """A Runtime class whose instances take a model already loaded in this session wherever their settings
    would load the same one (the session's ``embedder``, or one a re-index loaded before with its own
    thread count), and the session's parser process where they would start one with the same limits
    (also a pool of several when ``share_pool``, for the CLI, which parses one document at a time); both
    stay open when the runtime closes; a runtime that would start a pool of two (an app's two job workers)
    takes the session's pool of two. A Runtime of its own per command, test or re-index, loading the
    model and starting a parser each time, was most of those tests' time. Other settings still build
    their own."""
    from app.runtime import Runtime
    from ingest.isolate import ParseLimits
    from ingest.limits import Limits

    loaded = {_embedder_key(embedder): embedder}
    lock = threading.Lock()

    class SharingRuntime(Runtime):
        share_pool = False

        @cached_property
        def embedder(self):  # noqa: ANN202
            own = Runtime.embedder.func(self)  # type: ignore[attr-defined] - constructing loads nothing
            with lock:
                return loaded.setdefault(_embedder_key(own), own)

        @cached_property
        def parser(self):  # noqa: ANN202
            s = self.settings.ingest
            workers = s.parse_workers if s.parse_workers is not None else self.settings.api.job_workers
            limits = (ParseLimits.from_settings(s), Limits.from_settings(s))
            if limits == (parser.parse_limits, parser.limits):
                if workers == 1 or workers and self.share_pool:
                    return parser
                if workers == parser_pool.workers:
                    return parser_pool
            return Runtime.parser.func(self)  # type: ignore[attr-defined]

        def derive(self, settings):  # noqa: ANN001, ANN202
            return type(self)(settings)

        def close(self) -> None:
            if self.__dict__.get("parser") in (parser, parser_pool):
                del self.__dict__["parser"]  # the session's
            super().close()

    return SharingRuntime


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, onnx_cache: Path, sharing_runtime):
    """The ``rag`` command in process (typer's runner) on a fresh data directory and a clean environment:
    ``cli(*args, code=0)`` asserts the exit code and returns the result. Its commands share the
    session's model and parser process (``sharing_runtime``)."""
    from typer.testing import CliRunner

    from app.cli import app

    monkeypatch.setattr(
        "app.cli.common.Runtime", type("CliRuntime", (sharing_runtime,), {"share_pool": True})
    )
    for k in [k for k in os.environ if k.startswith("RAG_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RAG_EMBEDDING__CACHE_DIR", str(onnx_cache))
    monkeypatch.setenv("RAG_EMBEDDING__THREADS", "2")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


@pytest.fixture(scope="session")
def parser() -> Iterator:
    """One parser process for the whole run, with the default limits (each takes seconds to start)."""
    from ingest.isolate import ParseLimits, Parser

    with Parser(ParseLimits.from_settings(), workers=1) as p:
        yield p


@pytest.fixture(scope="session")
def parser_pool() -> Iterator:
    """A pool of two parser processes for the whole run: what an app with the default two job workers
    starts (lazily, like the app's own)."""
    from ingest.isolate import ParseLimits, Parser

    with Parser(ParseLimits.from_settings(), workers=2) as p:
        yield p


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache, parser, sharing_runtime) -> Iterator:
    """Every sample document indexed for tenant "default", once per test module, on the session's model
    and parser. Per module, not per run: a module that adds documents (for tenants of its own) changes
    the collection's BM25 statistics, and with them the ranking every other tenant sees."""
    from core.settings import load_settings
    from ingest.pipeline import Source

    rt = sharing_runtime(
        load_settings(data_dir=tmp_path_factory.mktemp("kb") / "data", embedding={"cache_dir": onnx_cache})
    )
    rt.embedder = embedder  # type: ignore[misc]
    rt.parser = parser  # type: ignore[misc]
    rt.ingestor.ingest([Source.from_path(p, p.name, "default") for p in sorted(SAMPLE_DOCS.iterdir())])
    yield rt
    del rt.parser  # the session's: not closed with this runtime
    rt.close()


@pytest.fixture
def runtime(settings, embedder, parser, sharing_runtime) -> Iterator:
    """A Runtime on a fresh data directory, sharing the session's loaded model and parser process (and
    so do the runtimes a re-index derives from it)."""
    rt = sharing_runtime(settings)
    rt.embedder = embedder  # type: ignore[misc] - reuse the loaded model across tests
    rt.parser = parser  # type: ignore[misc]
    yield rt
    del rt.parser  # the session's: not closed with this runtime
    rt.close()


@pytest.fixture
def llm():
    """The scripted OpenAI-compatible LLM on loopback, answering DEFAULT_REPLY unless a test queues more.
    Modules that want it without a default reply define their own ``llm``."""
    from api_client import DEFAULT_REPLY
    from llm_server import ScriptedLLM

    with ScriptedLLM(default=DEFAULT_REPLY) as server:
        yield server


@pytest.fixture
def client(tmp_path: Path, embedder, onnx_cache, llm, sharing_runtime):
    """The HTTP app (api_client.serve) on a fresh data directory, with the session's model, parser
    processes and ``llm``."""
    from api_client import serve

    with serve(tmp_path / "data", embedder, onnx_cache, llm, sharing_runtime) as c:
        yield c


@pytest.fixture(scope="session")
def postgres_server() -> Iterator:
    """A PostgreSQL server for this session (tests/postgres.py); skips when none can be started here."""
    from postgres import PostgresServer, unavailable

    reason = unavailable()
    if reason:
        if os.environ.get("RAG_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"RAG_TEST_REQUIRE_POSTGRES is set but {reason}")
        pytest.skip(reason)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind our stores run on: SQLite in tmp_path, and PostgreSQL."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'db.sqlite'}"
