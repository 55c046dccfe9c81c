"""Prometheus metrics: HTTP requests, latency per step, tokens and cost per model and prompt version,
answers and refusals, errors, ingest jobs by state, drift. Updated from traces as they are written."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from rag.monitor.traces import Trace

# A request's method is the client's free text: only these keep their name as a label, every other shares
# "other", so made-up methods cannot add label sets (and memory) without limit.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
UNMATCHED = "unmatched"

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class _StateGauge(Collector):
    """A gauge read at scrape time, e.g. ingest jobs by state from the job table (it survives restarts)."""

    def __init__(self, name: str, doc: str, read: Callable[[], dict[str, int]], states: list[str]) -> None:
        self.name, self.doc, self.read, self.states = name, doc, read, states

    def collect(self) -> Iterator[Metric]:
        g = GaugeMetricFamily(self.name, self.doc, labels=["state"])
        counts = self.read()
        for state in self.states:
            g.add_metric([state], counts.get(state, 0))
        yield g


class _SliceBreaches(Collector):
    """``rag_slice_breach{key,value,signal}`` = 1 for each slice signal in breach, read at scrape time
    (rag.monitor.slice_report.BreachWatch: bounded in number and in how often it is computed)."""

    def __init__(self, read: Callable[[], list[tuple[str, str, str]]]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        g = GaugeMetricFamily(
            "rag_slice_breach",
            "1 for a slice whose quality signal is worse than the rest of the traffic (rag monitor slices)",
            labels=["key", "value", "signal"],
        )
        for key, value, signal in self.read():
            g.add_metric([key, value, signal], 1)
        yield g


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "rag_http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.step_latency = Histogram(
            "rag_step_duration_seconds",
            "Time per step of a request",
            ["kind", "step"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("rag_llm_tokens", "LLM tokens", ["model", "prompt", "direction"], registry=r)
        self.cost = Counter("rag_llm_cost", "LLM cost (price table units)", ["model", "prompt"], registry=r)
        self.answers = Counter("rag_answers", "Answers given", ["refused", "reason"], registry=r)
        self.sentences = Counter(
            "rag_answer_sentences",
            "Sentences of the model's answers by verification verdict",
            ["verdict", "model", "prompt"],
            registry=r,
        )
        self.policy = Counter(
            "rag_answer_policy",
            "What the answer policy did (kept, flagged, evidence, refused)",
            ["action"],
            registry=r,
        )
        self.answerability = Histogram(
            "rag_answerability_score",
            "Answerability score of the questions asked",
            buckets=[i / 10 for i in range(1, 10)],
            registry=r,
        )
        self.errors = Counter("rag_errors", "Requests that failed", ["kind"], registry=r)
        self.rate_limited = Counter("rag_rate_limited", "Requests refused by the rate limit", registry=r)
        self.auth_failures = Counter(
            "rag_auth_failures", "Requests with a missing, unknown or revoked API key", registry=r
        )
        self.traces_dropped = Counter(
            "rag_traces_dropped", "Traces dropped because the queue was full", registry=r
        )
        self.guardrail_events = Counter(
            "rag_guardrail_events",
            "Guardrail decisions by guard and action (none, masked, redacted, excluded, quoted, recorded, "
            "refused)",
            ["guard", "action"],
            registry=r,
        )
        self.drift = Gauge("rag_drift_value", "Latest drift statistic", ["signal"], registry=r)
        self.drift_breach = Gauge(
            "rag_drift_breach", "1 if the latest drift check breached its threshold", ["signal"], registry=r
        )

    def request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """One HTTP request. ``route`` is the matched route's path template (None: nothing matched), never
        the raw path, and the method is bounded (HTTP_METHODS or "other"): every label has few values."""
        name = route or UNMATCHED
        self.requests.labels(method if method in HTTP_METHODS else "other", name, str(status)).inc()
        self.latency.labels(name).observe(seconds)

    def watch_states(
        self, name: str, doc: str, read: Callable[[], dict[str, int]], states: list[str]
    ) -> None:
        self.registry.register(_StateGauge(name, doc, read, states))

    def watch_slices(self, read: Callable[[], list[tuple[str, str, str]]]) -> None:
        self.registry.register(_SliceBreaches(read))

    def observe(self, t: Trace) -> None:
        """Called for every trace written."""
        for step, ms in (t.timings or {}).items():
            if step != "total":
                self.step_latency.labels(t.kind, step).observe(ms / 1000)
        if t.status == "error":
            self.errors.labels(t.kind).inc()
        for g in t.guardrails or ():
            self.guardrail_events.labels(g["guard"], g["action"]).inc()
        if t.kind != "query" or t.status == "error":
            return
        self.answers.labels(str(t.refused).lower(), t.refusal_reason or "").inc()
        prompt = t.prompt_id or "none"
        model = t.model or "none"
        if t.tokens_in or t.tokens_out:
            self.tokens.labels(model, prompt, "input").inc(t.tokens_in)
            self.tokens.labels(model, prompt, "output").inc(t.tokens_out)
        if t.cost:
            self.cost.labels(model, prompt).inc(t.cost)
        signals = t.signals or {}
        for verdict, n in (signals.get("verdicts") or {}).items():
            self.sentences.labels(verdict, model, prompt).inc(n)
        if signals.get("policy"):
            self.policy.labels(signals["policy"]).inc()
        if signals.get("answerability") is not None:
            self.answerability.observe(signals["answerability"])
