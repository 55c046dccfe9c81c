"""Answer: question -> (rewrite) -> retrieve -> refuse? -> prompt -> generate -> cite, recorded step by step.

``stream`` yields the answer's text as the model produces it and ends with the ``Answer``: citations,
sources, scores, prompt id, usage, cost, timings and the chain's steps (what the monitoring layer stores).
``ask`` is the same without the pieces. A refusal never calls the LLM, and says why.

Everything that reaches a prompt from outside (retrieved text, the question, the conversation) goes through
rag.prompt.defuse first, with the special tokens of the model in use when its adapter knows them; the
messages as sent are kept on the ``Answer`` (``messages``) for the trace. Retrieved text is cut to
``max_hit_chars`` before anything reads it (chunks written before chunks were bounded in characters).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ingest.embed import Embedder
from rag.cite import CitationReport, cite
from rag.conversation import Conversations, Turn
from rag.db import utcnow
from rag.errors import InvalidRequest, LLMError
from rag.llm.base import LLM, Completion, Message, Usage
from rag.prompt.context import Context, assemble, clip_hits
from rag.prompt.defuse import Defuser
from rag.prompt.templates import PromptLibrary, PromptTemplate
from rag.refuse import NOT_FOUND, Confidence, Refusal, decide, is_llm_refusal, retrieval_confidence
from rag.retrieve import Retriever
from rag.settings import AnswerSettings, LlmSettings
from rag.types import Hit

log = logging.getLogger(__name__)

DEMO_NOTE = (
    "Answered by the embedded SmolLM2-135M, a demo-quality model that is often wrong: check the citations, "
    "and set RAG_LLM__BASE_URL to a real OpenAI-compatible endpoint for answers you can rely on."
)
_TOKENS_PER_MESSAGE = 8  # chat-template markers around each message, and the assistant's opening
_REWRITE_MAX_TOKENS = 64
_HISTORY_ANSWER_CHARS = 400
_WORDS = re.compile(r"\w+")


@dataclass
class Step:
    """One link of the chain, in the shape the monitoring layer stores."""

    name: str
    latency_ms: float
    input: Any = None
    output: Any = None
    tokens_in: int = 0
    tokens_out: int = 0
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latency_ms": self.latency_ms,
            "input": self.input,
            "output": self.output,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "model": self.model,
        }


@dataclass
class Answer:
    trace_id: str
    conversation_id: str
    question: str
    standalone_question: str
    text: str
    refusal: Refusal | None
    confidence: Confidence
    hits: list[Hit]
    context: Context | None
    citations: CitationReport | None
    prompt: dict[str, Any] | None
    model: dict[str, Any]
    usage: Usage
    cost: float | None
    timings_ms: dict[str, float]
    steps: list[Step] = field(default_factory=list)
    query_vector: np.ndarray | None = field(default=None, repr=False)  # the search's, kept for monitoring
    messages: list[Message] | None = field(default=None, repr=False)  # as sent to the LLM (None: refused)
    clipped: set[str] = field(default_factory=set)  # chunk ids whose text was cut to max_hit_chars

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "conversation_id": self.conversation_id,
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "refused": self.refused,
            "refusal": self.refusal.to_dict() if self.refusal else None,
            "confidence": self.confidence.to_dict(),
            **(self.citations.to_dict() if self.citations else _NO_CITATIONS),
            "sources": [s.to_dict() for s in self.context.sources] if self.context else [],
            "context": (
                {
                    "tokens": self.context.tokens,
                    "budget": self.context.budget,
                    "dropped": self.context.dropped,
                }
                if self.context
                else None
            ),
            "hits": [h.to_dict() | {"truncated": h.chunk_id in self.clipped} for h in self.hits],
            "prompt": self.prompt,
            "model": self.model,
            "usage": self.usage.to_dict(),
            "cost": self.cost,
            "timings_ms": self.timings_ms,
            "steps": [s.to_dict() for s in self.steps],
        }


_NO_CITATIONS: dict[str, Any] = {"citations": [], "invalid_citations": [], "uncited_sentences": []}


class Answerer:
    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: Embedder,
        llm: LLM,
        prompts: PromptLibrary,
        conversations: Conversations,
        settings: AnswerSettings,
        llm_settings: LlmSettings,
        max_hit_chars: int,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.llm = llm
        self.prompts = prompts
        self.conversations = conversations
        self.settings = settings
        self.llm_settings = llm_settings
        self.max_hit_chars = max_hit_chars

    @cached_property
    def defuse(self) -> Defuser:
        # An adapter that knows its tokenizer lists the special tokens (the embedded one does); for an
        # endpoint they are unknown, and the common families' markers (always defused) stand in.
        return Defuser(getattr(self.llm, "special_tokens", ()))

    def ask(self, question: str, **kw: Any) -> Answer:
        for item in self.stream(question, **kw):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() always ends with an Answer")

    def stream(
        self,
        question: str,
        *,
        tenant: str,
        conversation_id: str | None = None,
        prompt: str | None = None,
        top_k: int | None = None,
        doc_ids: Sequence[str] = (),
        metadata: dict[str, str | int | bool] | None = None,
    ) -> Iterator[str | Answer]:
        question = question.strip()
        if not question:
            raise InvalidRequest("the question is empty")
        t_start = time.perf_counter()
        trace_id = uuid.uuid4().hex
        steps: list[Step] = []
        timings: dict[str, float] = {}
        usage = Usage()
        cid = self.conversations.open(tenant, conversation_id)

        standalone = question
        history = self.conversations.history(tenant, cid, last=self.settings.history_turns)
        if history:
            standalone, step, rewrite_usage = self._rewrite(question, history)
            steps.append(step)
            timings["rewrite"] = step.latency_ms
            usage += rewrite_usage

        result = self.retriever.search(
            standalone, tenant=tenant, top_k=top_k or self.settings.top_k, doc_ids=doc_ids, metadata=metadata
        )
        timings |= result.timings_ms
        hits, clipped = clip_hits(result.hits, self.max_hit_chars)
        steps.append(Step("retrieve", result.latency_ms, standalone, [h.chunk_id for h in hits]))

        t = time.perf_counter()
        # The refusal gate and citation matching embed the same chunk sentences: embed each once.
        embedder = _SentenceMemo(self.embedder)
        confidence = retrieval_confidence(standalone, hits, embedder)
        refusal = decide(hits, confidence, self.settings.refusal_threshold)
        timings["confidence"] = _ms(t)
        steps.append(
            Step(
                "confidence",
                timings["confidence"],
                None,
                {"value": confidence.value, "refused": bool(refusal)},
            )
        )

        context: Context | None = None
        report: CitationReport | None = None
        template: PromptTemplate | None = None
        variant: str | None = None
        messages: list[Message] | None = None
        if refusal is not None:
            text = NOT_FOUND
            yield text
        else:
            template, variant = self.prompts.choose(self.settings.prompt, self.settings.variants, cid, prompt)
            t = time.perf_counter()
            context, messages = self._prompt(template, standalone, hits)
            timings["prompt_build"] = _ms(t)
            steps.append(
                Step(
                    "prompt",
                    timings["prompt_build"],
                    template.id,
                    {"sources": len(context.sources)},
                    context.tokens,
                )
            )
            completion: Completion | None = None
            s = self.llm_settings
            for piece in self.llm.stream(messages, max_tokens=s.max_tokens, temperature=s.temperature):
                if isinstance(piece, Completion):
                    completion = piece
                else:
                    yield piece
            assert completion is not None
            text = completion.text.strip()
            if not text:
                raise LLMError(f"the model {completion.model} returned an empty answer")
            usage += completion.usage
            timings["llm_first_token"] = completion.first_token_ms or completion.latency_ms
            timings["llm_total"] = completion.latency_ms
            steps.append(
                Step(
                    "generate",
                    completion.latency_ms,
                    template.id,
                    text,
                    completion.usage.prompt_tokens,
                    completion.usage.completion_tokens,
                    completion.model,
                )
            )
            if is_llm_refusal(text):
                refusal = Refusal("llm", "the model found no answer in the retrieved sources")
            else:
                t = time.perf_counter()
                report = cite(text, context.sources, embedder if self.settings.match_citations else None)
                text = report.answer
                timings["cite"] = _ms(t)
                steps.append(Step("cite", timings["cite"], None, {"citations": len(report.citations)}))

        timings["total"] = _ms(t_start)
        answer = Answer(
            trace_id=trace_id,
            conversation_id=cid,
            question=question,
            standalone_question=standalone,
            text=text,
            refusal=refusal,
            confidence=confidence,
            hits=hits,
            context=context,
            citations=report,
            prompt=template.info(variant) if template else None,
            model=self._model_info(),
            usage=usage,
            cost=self._cost(usage),
            timings_ms=timings,
            steps=steps,
            query_vector=result.query_vector,
            messages=messages,
            clipped=clipped,
        )
        self.conversations.append(tenant, cid, Turn(question, standalone, text, trace_id, utcnow()))
        log.info(
            "answer trace=%s conversation=%s prompt=%s variant=%s refused=%s tokens=%d/%d ms=%.0f",
            trace_id,
            cid,
            template.id + "#" + template.hash if template else None,
            variant,
            refusal.reason if refusal else None,
            usage.prompt_tokens,
            usage.completion_tokens,
            timings["total"],
        )
        yield answer

    def _rewrite(self, question: str, history: list[Turn]) -> tuple[str, Step, Usage]:
        template = self.prompts.get(self.settings.rewrite_prompt)
        lines = []
        for turn in history:
            lines.append(f"User: {turn.question}")
            lines.append(f"Assistant: {turn.answer[:_HISTORY_ANSWER_CHARS]}")
        messages = template.render(history=self.defuse("\n".join(lines)), question=self.defuse(question))
        completion = self.llm.complete(messages, max_tokens=_REWRITE_MAX_TOKENS, temperature=0.0)
        rewritten = _first_line(completion.text)
        fallback = not _plausible_rewrite(rewritten, question)
        if fallback:
            # A model that rambles instead of rewriting would send retrieval anywhere: search with the
            # previous question and this one together instead, which keeps the topic.
            rewritten = f"{history[-1].question} {question}"
        step = Step(
            "rewrite",
            completion.latency_ms,
            question,
            {"standalone": rewritten, "model_output": completion.text, "fallback": fallback},
            completion.usage.prompt_tokens,
            completion.usage.completion_tokens,
            completion.model,
        )
        return rewritten, step, completion.usage

    def _prompt(
        self, template: PromptTemplate, question: str, hits: list[Hit]
    ) -> tuple[Context, list[Message]]:
        s = self.llm_settings
        question = self.defuse(question)
        skeleton = template.render(sources="", question=question)
        overhead = sum(self.llm.count_tokens(m["content"]) + _TOKENS_PER_MESSAGE for m in skeleton)
        window = self.llm.context_window
        budget = window - s.max_tokens - overhead - int(window * s.budget_margin) - _TOKENS_PER_MESSAGE
        context = assemble(
            hits,
            budget_tokens=max(budget, 0),
            count=self.llm.count_tokens,
            max_sources=self.settings.max_sources,
            dedup_jaccard=self.settings.dedup_jaccard,
            defuse=self.defuse,
        )
        return context, template.render(sources=context.text, question=question)

    def _model_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "provider": self.llm.provider,
            "name": self.llm.model,
            "context_window": self.llm.context_window,
            "demo_quality": self.llm.demo_quality,
        }
        if self.llm.demo_quality:
            info["note"] = DEMO_NOTE
        return info

    def _cost(self, usage: Usage) -> float | None:
        price = self.llm_settings.prices.get(self.llm.model)
        if price is None:
            return 0.0 if self.llm.provider == "embedded" else None  # unknown price: say so, not 0
        return round(
            usage.prompt_tokens * price.input_per_mtok / 1e6
            + usage.completion_tokens * price.output_per_mtok / 1e6,
            8,
        )


class _SentenceMemo:
    """An embedder that remembers the texts it embedded, for the span of one answer."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder.embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self._embedder.embed_documents(missing), strict=True))
        return (
            np.vstack([self._vectors[t] for t in texts]) if texts else self._embedder.embed_documents(texts)
        )


def _plausible_rewrite(rewritten: str, question: str) -> bool:
    """A standalone version of a question is a sentence or two, not an essay, and keeps most of its words."""
    if not 0 < len(rewritten) <= max(2 * len(question), len(question) + 120):
        return False
    words = {w for w in _WORDS.findall(question.lower()) if len(w) > 3}
    kept = words & set(_WORDS.findall(rewritten.lower()))
    return len(kept) >= len(words) / 2


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip().strip('"').strip()
        if line:
            return line
    return ""


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
