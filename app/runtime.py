"""Wiring: settings -> the objects that do the work, each built on first use (nothing at import time)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cached_property

from core.encode.dense import Embedder, SentenceTransformerEmbedder, packaged_model_path
from core.encode.onnx import OnnxEmbedder
from core.encode.sparse import Bm25Encoder
from core.lease import Leases
from core.settings import Settings
from core.store import IndexMeta, IndexVersions, open_versions
from core.store.base import VectorStore
from core.store.served import ServedIndex
from core.types import Hit
from core.units import MiB
from ingest.blobs import BlobStore
from ingest.chunk import Chunker, TokenCounter
from ingest.fingerprint import build_groups, settings_fingerprint, with_build
from ingest.gate import WriteGate
from ingest.guard import ChunkGuard
from ingest.isolate import ParseLimits, Parser
from ingest.limits import Limits
from ingest.pipeline import Ingestor, Outcome, Source
from ingest.reconcile import reconcile
from ingest.registry import Registry
from ingest.reindex.verify import Search
from ingest.sourcestore import SourceStore
from ingest.web import CrawlLimits
from rag.answer import Answerer
from rag.answerability import AnswerabilityModel
from rag.conversation import Conversations
from rag.guardrails import AnswerGuards
from rag.llm.base import LLM
from rag.llm.tokens import GgufTokenCounter, packaged_gguf_path
from rag.monitor.record import Recorder
from rag.monitor.traces import Trace, TraceStore
from rag.prompt.templates import PACKAGED, PromptLibrary
from rag.retrieve import Retriever

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, role: str = "cli") -> None:
        """``role``: what this process is to the others sharing its registry ("serve", "worker", "cli"),
        shown with its lease."""
        self.settings = settings
        self.role = role
        self._borrowed: set[str] = set()  # parts another runtime owns and closes
        # Called with every trace once written: metrics, OpenTelemetry (see api.services).
        self.trace_listeners: list[Callable[[Trace], None]] = []
        # Called whenever a trace is dropped because the writer's queue is full (the metric).
        self.drop_listeners: list[Callable[[], None]] = []
        # Document writes hold it shared; a re-index takes it alone for its last catch-up and the switch.
        self.write_gate = WriteGate()
        # What a file may declare, and OCR's languages: checked now, so a language Tesseract lacks stops
        # the start (ConfigError) rather than failing every scanned file.
        self.limits = Limits.from_settings(settings.ingest)

    @cached_property
    def model_path(self):  # noqa: ANN201 - Path
        return self.settings.embedding.model_path or packaged_model_path()

    @cached_property
    def embedder(self) -> Embedder:
        e = self.settings.embedding
        common = dict(dim=e.dim, batch_size=e.batch_size, threads=e.threads, max_seq_length=e.max_seq_length)
        if e.backend == "onnx-int8":
            return OnnxEmbedder(self.model_path, e.model_name, cache_dir=self.cache_dir, **common)
        return SentenceTransformerEmbedder(self.model_path, e.model_name, **common)

    @cached_property
    def sparse(self) -> Bm25Encoder:
        b = self.settings.bm25
        return Bm25Encoder(k1=b.k1, b=b.b, avg_len=b.avg_len, language=b.language, default=b.default_language)

    @cached_property
    def chunk_guard(self) -> ChunkGuard:
        return ChunkGuard(self.settings.guardrails, self.embedder)

    @cached_property
    def chunker(self) -> Chunker:
        c = self.settings.chunking
        return Chunker(
            TokenCounter(self.model_path / "tokenizer.json"),
            c.size_tokens,
            c.overlap_tokens,
            max_chars=c.max_chars,
            context_header=c.context_header,
            sparse_header=c.sparse_header,
        )

    @cached_property
    def index_meta(self) -> IndexMeta:
        b = self.settings.bm25
        return IndexMeta(
            embedding_model=self.settings.embedding.model_name,
            embedding_dim=self.settings.embedding.dim,
            embedding_backend=self.embedder.backend,
            bm25_k1=b.k1,
            bm25_b=b.b,
            bm25_avg_len=b.avg_len,
            bm25_language=b.language,
            fingerprint=settings_fingerprint(self.settings),
            build=build_groups(self.settings),
        )

    @cached_property
    def leases(self) -> Leases:
        """This process's lease on the registry database, beaten from first use to ``close``: whatever
        it owns there (documents it writes, jobs, a re-index) stays its own only while it beats."""
        s = self.settings
        leases = Leases(s.registry_url, s.cluster.lease_s, role=self.role, auto_upgrade=s.db.auto_upgrade)
        leases.start(self.settings.api.heartbeat_s)
        return leases

    @cached_property
    def registry(self) -> Registry:
        self.leases  # noqa: B018 - the documents this process begins are only its own while it beats
        s = self.settings
        # How long a write waits at another process's closed write gate: in a server, half a request's
        # time (a delete answers 409 rather than time out); elsewhere, as long as the re-index may take.
        gate_wait_s = s.api.request_timeout_s / 2 if self.role == "serve" else 2 * s.reindex.drain_s
        return Registry(s.registry_url, s.cluster.lease_s, gate_wait_s, auto_upgrade=s.db.auto_upgrade)

    @cached_property
    def sources(self) -> SourceStore:
        """What each folder, bucket or site synced (ingest.sourcestore), beside the registry."""
        s = self.settings
        return SourceStore(s.registry_url, auto_upgrade=s.db.auto_upgrade)

    @cached_property
    def crawl_limits(self) -> CrawlLimits:
        c = self.settings.sources
        return CrawlLimits(
            max_depth=c.max_depth,
            max_pages=c.max_pages,
            max_bytes=int(c.max_page_mb * MiB),
            timeout_s=c.timeout_s,
            crawl_delay_cap_s=c.crawl_delay_cap_s,
        )

    @cached_property
    def versions(self) -> IndexVersions:
        return open_versions(self.settings)

    @cached_property
    def store(self) -> ServedIndex:
        store = ServedIndex.open(
            self.versions,
            self.index_meta,
            grace_s=self.settings.reindex.grace_s,
            on_follow=self._follow_switch,
        )
        if store.problem is None:
            # A dead process may have left a document half-written: settle it before anything reads the
            # index (a live one's documents in flight are left to it).
            reconcile(store, self.registry)
        return store

    @cached_property
    def blobs(self) -> BlobStore:
        # References live in the registry's database; documents from before them are kept by the registry.
        s = self.settings
        return BlobStore(
            s.api.blob_url or s.blob_dir,
            s.registry_url,
            self.registry.uses_hash,
            staging=s.blob_dir / "tmp",
            auto_upgrade=s.db.auto_upgrade,
        )

    @cached_property
    def parser(self) -> Parser:
        """The pool of parser processes (started on first use; ``close`` stops them)."""
        s = self.settings.ingest
        return Parser(
            ParseLimits.from_settings(s),
            self.limits,
            # One per job worker, so a long parse does not hold up the other jobs, and one per document an
            # ingestion run parses at once.
            workers=s.parse_workers
            if s.parse_workers is not None
            else max(self.settings.api.job_workers, s.parse_concurrency),
        )

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(
            registry=self.registry,
            store=self.store,
            embedder=self.embedder,
            sparse=self.sparse,
            chunker=self.chunker,
            max_file_bytes=self.settings.ingest.max_file_bytes,
            batch_chunks=self.settings.ingest.batch_chunks,
            fingerprint=settings_fingerprint(self.settings),
            blobs=self.blobs,
            parser=self.parser,
            parse_concurrency=self.settings.ingest.parse_concurrency,
            guard=self.chunk_guard,
        )

    def ingest_one(
        self,
        src: Source,
        on_stage: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Outcome:
        """One document, through the write gate (so a re-index's switch never sees it half done).
        Setting ``cancel`` stops it at the next step (a running parser is killed) as ``cancelled``."""
        with self.write_gate.shared():
            outcome = self.ingestor.ingest_one(src, on_stage, cancel)
            if outcome.reason == "switched":  # prepared for a version another process replaced: again,
                outcome = self.ingestor.ingest_one(src, on_stage, cancel)  # with the settings adopted
            return outcome

    def delete_document(self, tenant: str, doc_id: str) -> bool:
        with self.write_gate.shared():
            return self.ingestor.delete(tenant, doc_id)

    def adopt(self, settings: Settings, embedder: Embedder | None = None) -> None:
        """Go on with the settings a re-index built the now-served version with: the objects that
        depend on them are built again on next use (``embedder``, already warm, when given); calls
        already running finish with the old ones."""
        same_model = settings.embedding == self.settings.embedding
        self.settings = settings
        derived = ["sparse", "chunker", "chunk_guard", "index_meta", "ingestor", "retriever", "answerer"]
        if not same_model:
            derived += ["model_path", "embedder"]
        for name in derived:
            self.__dict__.pop(name, None)
        if embedder is not None and not same_model:
            self.__dict__["embedder"] = embedder

    def _follow_switch(self, meta: IndexMeta) -> IndexMeta:
        """Another process switched the served version: go on with the settings it was built with (a
        re-index elsewhere changed chunking or the model), as the process that switched does."""
        if meta.build and meta.build != build_groups(self.settings):
            log.warning("adopting the build settings of the index version another process switched to")
            self.adopt(with_build(self.settings, meta.build))
        return self.index_meta

    def derive(self, settings: Settings) -> Runtime:
        """A runtime of its own for other settings (a re-index builds its version with one)."""
        rt = Runtime(settings, role=self.role)
        rt.__dict__["leases"] = self.leases  # one lease per process: closing the derived one keeps it
        rt._borrowed.add("leases")
        return rt

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.sparse, self.settings.retrieval)

    def searcher(self, store: VectorStore) -> Search:
        """Search ``store`` (an index version not served yet) as ``retriever`` searches the served one:
        a re-index's smoke check queries the new version this way."""
        retriever = Retriever(store, self.embedder, self.sparse, self.settings.retrieval)

        def search(question: str, *, tenant: str, top_k: int) -> list[Hit]:
            return retriever.search(question, tenant=tenant, top_k=top_k).hits

        return search

    @cached_property
    def cache_dir(self):  # noqa: ANN201 - Path
        return self.settings.embedding.cache_dir or self.settings.data_dir / "models"

    @cached_property
    def token_counter(self) -> GgufTokenCounter:
        # The embedded model's BPE: exact for it, a close estimate for an endpoint (see rag.llm.tokens).
        return GgufTokenCounter(packaged_gguf_path(), self.cache_dir)

    @cached_property
    def llm(self) -> LLM | None:
        """The generative model; None for the extractive provider, which answers with quotes only."""
        s = self.settings.llm
        if s.resolved_provider == "extractive":
            return None
        if s.resolved_provider == "openai":
            from rag.llm.openai_chat import OpenAIChat

            assert s.base_url and s.model  # checked by LlmSettings
            return OpenAIChat(
                base_url=s.base_url,
                model=s.model,
                api_key=s.api_key.get_secret_value() if s.api_key else None,
                timeout_s=s.timeout_s,
                max_retries=s.max_retries,
                context_window=s.window,
                count_tokens=self.token_counter.count,
            )
        from rag.llm.embedded import EmbeddedChat

        return EmbeddedChat(
            packaged_gguf_path(),
            context_window=s.window,
            threads=s.threads,
            count_tokens=self.token_counter.count,
            special_tokens=self.token_counter.special_tokens,
        )

    @cached_property
    def prompts(self) -> PromptLibrary:
        extra = self.settings.answer.prompts_dir
        return PromptLibrary([PACKAGED, extra] if extra else [PACKAGED])

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.settings.conversations_url, auto_upgrade=self.settings.db.auto_upgrade)

    @cached_property
    def answerer(self) -> Answerer:
        return Answerer(
            retriever=self.retriever,
            embedder=self.embedder,
            llm=self.llm,
            prompts=self.prompts,
            conversations=self.conversations,
            answerability=self.answerability,
            guards=AnswerGuards(self.settings.guardrails, self.embedder),
            settings=self.settings.answer,
            llm_settings=self.settings.llm,
            max_hit_chars=self.settings.chunking.max_chars,
        )

    @cached_property
    def answerability(self) -> AnswerabilityModel:
        return AnswerabilityModel.load(self.settings.answer.answerability_model)

    @cached_property
    def traces(self) -> TraceStore:
        return TraceStore(self.settings.traces_url, auto_upgrade=self.settings.db.auto_upgrade)

    @cached_property
    def recorder(self) -> Recorder:
        if self.settings.monitoring.otel:
            from rag.monitor.otel import emit

            self.trace_listeners.append(emit)
        return Recorder(
            self.traces,
            self.embedder,
            self.settings.monitoring,
            guardrails=self.settings.guardrails,
            on_written=self._on_trace,
            on_dropped=self._on_drop,
        )

    def _on_trace(self, trace: Trace) -> None:
        for listener in self.trace_listeners:
            listener(trace)

    def _on_drop(self) -> None:
        for listener in self.drop_listeners:
            listener()

    def close(self) -> None:
        for name in (
            "parser",
            "recorder",
            "traces",
            "llm",
            "conversations",
            "store",
            "blobs",
            "sources",
            "registry",
            "leases",
        ):
            if name not in self._borrowed and self.__dict__.get(name) is not None:
                self.__dict__[name].close()
