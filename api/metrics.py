"""Prometheus metrics of the service: requests, answers, tokens, jobs by state."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ingest.jobs import JobState, JobStore


class _Jobs(Collector):
    """Jobs by state, read from the job table at scrape time (it survives restarts; counters do not)."""

    def __init__(self, store: JobStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        g = GaugeMetricFamily("rag_ingest_jobs", "Ingestion jobs by state", labels=["state"])
        counts = self.store.counts()
        for state in JobState:
            g.add_metric([state.value], counts.get(state.value, 0))
        yield g


class Metrics:
    def __init__(self, jobs: JobStore) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "rag_http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.answers = Counter("rag_answers", "Answers given", ["refused", "reason"], registry=self.registry)
        self.tokens = Counter("rag_llm_tokens", "LLM tokens", ["model", "direction"], registry=self.registry)
        self.rate_limited = Counter(
            "rag_rate_limited", "Requests refused by the rate limit", registry=self.registry
        )
        self.registry.register(_Jobs(jobs))

    def answer(self, refused_reason: str | None, model: str, tokens_in: int, tokens_out: int) -> None:
        self.answers.labels(str(refused_reason is not None).lower(), refused_reason or "").inc()
        if tokens_in or tokens_out:
            self.tokens.labels(model, "input").inc(tokens_in)
            self.tokens.labels(model, "output").inc(tokens_out)
