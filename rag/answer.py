"""Answer: question -> (rewrite) -> retrieve -> gate -> prompt -> generate -> verify -> policy, step by step.

The gate scores retrieval confidence, selects the extractive evidence (rag.evidence) and asks the
answerability model (rag.answerability) whether the documents hold an answer; a refusal never calls the
LLM, and says why. The model's text is then checked claim by claim against its sources (rag.verify), and
the answer policy (rag.answer_policy) decides what the user reads when a sentence is contradicted or
unsupported: the draft with its sentences flagged, the quoted evidence instead, or a refusal. With the
``extractive`` provider there is no model at all: the answer is the quoted evidence.

``stream`` yields the answer's text as the model produces it (under the ``flag`` policy; the others hold
the text back until it is verified, so nothing unverified is shown) and ends with the ``Answer``
(rag.answer_record): citations, evidence, verification, sources, scores, prompt id, usage, cost, timings
and the chain's steps (what the monitoring layer stores). ``ask`` is the same without the pieces.

Everything that reaches a prompt from outside (retrieved text, the question, the conversation) goes through
rag.prompt.defuse first, with the special tokens of the model in use when its adapter knows them; the
messages as sent are kept on the ``Answer`` (``messages``) for the trace. Retrieved text is cut to
``max_hit_chars`` before anything reads it (chunks written before chunks were bounded in characters).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
import uuid
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from core.db import utcnow
from core.encode.dense import Embedder
from core.errors import InvalidRequest, LLMError
from core.guard.events import GuardEvent
from core.settings import AnswerSettings, LlmSettings
from core.types import Hit
from rag import facts
from rag.answer_policy import DRAFT_FAILED, UNVERIFIED, Policy, quote, refusal, strong, with_evidence_sources
from rag.answer_record import Answer, Step
from rag.answerability import Answerability, AnswerabilityModel
from rag.cite import CitationReport
from rag.conversation import Conversations, Turn
from rag.evidence import Evidence, select_evidence
from rag.guardrails import AnswerGuards
from rag.llm.base import LLM, Completion, Message, Options, Usage, complete, generate
from rag.output_checks import WITHHELD, redact_tree, redactor
from rag.prompt.context import Context, Source, assemble, clip_hits
from rag.prompt.defuse import Defuser
from rag.prompt.templates import PromptLibrary, PromptTemplate
from rag.refuse import NOT_FOUND, Confidence, Refusal, decide, is_llm_refusal, retrieval_confidence
from rag.retrieve import Retriever
from rag.verify import Verification, verify_answer
from rag.verify.check import strip_invisible

__all__ = ["Answer", "Answerer", "Step"]

log = logging.getLogger(__name__)

DEMO_NOTE = (
    "Answered by the embedded SmolLM2-135M, a demo-quality model that is often wrong: check the citations, "
    "and set RAG_LLM__BASE_URL to a real OpenAI-compatible endpoint for answers you can rely on."
)
_TOKENS_PER_MESSAGE = 8  # chat-template markers around each message, and the assistant's opening
_REWRITE_MAX_TOKENS = 64
_HISTORY_ANSWER_CHARS = 400
_WORDS = re.compile(r"\w+")
_ANSWER_STEPS = ("generate", "verify", "verify_quote")  # steps whose output holds the answer's text


@dataclass
class _Run:
    """What one answer accumulates on its way: its steps, timings and token usage."""

    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    steps: list[Step] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    guardrails: list[GuardEvent] = field(default_factory=list)

    def step(self, step: Step, timing: str | None = None) -> None:
        self.steps.append(step)
        if timing:
            self.timings[timing] = step.latency_ms


@dataclass
class _Gate:
    confidence: Confidence
    evidence: list[Evidence]
    answerability: Answerability | None
    refusal: Refusal | None


@dataclass
class _Outcome:
    """What the user reads, and how it came to be."""

    text: str
    refusal: Refusal | None = None
    context: Context | None = None
    report: CitationReport | None = None
    verification: Verification | None = None
    policy: str | None = None
    draft: str | None = None
    draft_verification: Verification | None = None
    template: PromptTemplate | None = None
    variant: str | None = None
    messages: list[Message] | None = None
    held: bool = False  # the text was held back (not streamed): it is yielded once checked


class Answerer:
    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: Embedder,
        llm: LLM | None,
        prompts: PromptLibrary,
        conversations: Conversations,
        answerability: AnswerabilityModel,
        guards: AnswerGuards,
        settings: AnswerSettings,
        llm_settings: LlmSettings,
        max_hit_chars: int,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.llm = llm  # None: the extractive provider, no generative model
        self.prompts = prompts
        self.conversations = conversations
        self.answerability = answerability
        self.guards = guards
        self.settings = settings
        self.llm_settings = llm_settings
        self.max_hit_chars = max_hit_chars

    @cached_property
    def defuse(self) -> Defuser:
        # An adapter that knows its tokenizer lists the special tokens (the embedded one does); for an
        # endpoint they are unknown, and the common families' markers (always defused) stand in.
        return Defuser(getattr(self.llm, "special_tokens", ()))

    @property
    def policy(self) -> Policy:
        """The configured answer policy; by default the quoted evidence for the demo model, whose drafts
        are often wrong, and flags for a real endpoint."""
        if self.settings.on_unsupported is not None:
            return self.settings.on_unsupported
        return "evidence" if self.llm is not None and self.llm.demo_quality else "flag"

    def warm_up(self) -> None:
        """Load what the first answer would otherwise wait for: the embedding model and language detector,
        the fact extractor and the guards' detectors."""
        self.embedder.warm_up()
        self.retriever.sparse.warm_up()
        facts.warm_up()
        self.guards.warm_up()

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
        languages: Sequence[str] = (),
        history: Sequence[Turn] | None = None,
    ) -> Iterator[str | Answer]:
        """``history``: the earlier exchanges, given by the caller (a client that keeps its own chat, as
        OpenAI's API does) instead of read from the stored conversation."""
        question = question.strip()
        if not question:
            raise InvalidRequest("the question is empty")
        run = _Run()
        screened = self.guards.screen_question(question, tenant)
        run.guardrails += screened.events
        cid = self.conversations.open(tenant, conversation_id)
        # A question refused by the screen reaches no model, the rewrite's included.
        standalone = question if screened.refusal else self._standalone(run, question, tenant, cid, history)

        result = self.retriever.search(
            standalone,
            tenant=tenant,
            top_k=top_k or self.settings.top_k,
            doc_ids=doc_ids,
            metadata=metadata,
            languages=languages,
        )
        run.timings |= result.timings_ms
        hits, clipped = clip_hits(result.hits, self.max_hit_chars)
        run.step(Step("retrieve", result.latency_ms, standalone, [h.chunk_id for h in hits]))
        admitted = self.guards.admit(hits, tenant)
        hits = admitted.hits
        run.guardrails += admitted.events

        # The gate, evidence selection and verification embed the same chunk sentences: embed each once.
        embedder = SentenceMemo(self.embedder)
        gate = self._gate(run, standalone, hits, embedder, result.query_vector)
        if screened.refusal is not None:
            gate.refusal = screened.refusal
        if gate.refusal is not None:
            outcome = _Outcome(NOT_FOUND, refusal=gate.refusal)
            yield outcome.text
        elif self.llm is None:
            outcome = self._extract(run, gate.evidence, hits)
            self._guard_output(run, outcome, tenant)
            yield outcome.text
        else:
            outcome = yield from self._generate(
                run, standalone, hits, gate.evidence, embedder, cid, prompt, tenant, admitted.quoted
            )
            self._guard_output(run, outcome, tenant)
            if outcome.held:
                yield outcome.text

        run.timings["total"] = _ms(run.started)
        answer = Answer(
            trace_id=run.trace_id,
            conversation_id=cid,
            question=question,
            standalone_question=standalone,
            text=outcome.text,
            refusal=outcome.refusal,
            confidence=gate.confidence,
            hits=hits,
            context=outcome.context,
            citations=outcome.report,
            prompt=outcome.template.info(outcome.variant) if outcome.template else None,
            model=self._model_info(),
            usage=run.usage,
            cost=self._cost(run.usage),
            timings_ms=run.timings,
            steps=run.steps,
            evidence=gate.evidence,
            verification=outcome.verification,
            answerability=gate.answerability,
            policy=outcome.policy,
            draft=outcome.draft,
            draft_verification=outcome.draft_verification,
            query_vector=result.query_vector,
            messages=outcome.messages,
            clipped=clipped,
            guardrails=run.guardrails,
        )
        if screened.refusal is None:  # a refused question stays out of the history later prompts see
            self.conversations.append(
                tenant, cid, Turn(question, standalone, answer.text, run.trace_id, utcnow())
            )
        template = outcome.template
        log.info(
            "answer trace=%s conversation=%s prompt=%s variant=%s refused=%s policy=%s tokens=%d/%d ms=%.0f",
            run.trace_id,
            cid,
            template.id + "#" + template.hash if template else None,
            outcome.variant,
            answer.refusal.reason if answer.refusal else None,
            answer.policy,
            run.usage.prompt_tokens,
            run.usage.completion_tokens,
            run.timings["total"],
        )
        yield answer

    def _standalone(
        self, run: _Run, question: str, tenant: str, cid: str, given: Sequence[Turn] | None = None
    ) -> str:
        last = self.settings.history_turns
        if given is None:
            history = self.conversations.history(tenant, cid, last=last)
        else:
            history = list(given)[-last:] if last else []
        if not history:
            return question
        if self.llm is None:
            # No model to rewrite a follow-up: search with the previous question and this one together.
            return f"{history[-1].question} {question}"
        standalone, step, usage = self._rewrite(question, history)
        run.step(step, "rewrite")
        run.usage += usage
        return standalone

    def _gate(
        self,
        run: _Run,
        question: str,
        hits: list[Hit],
        embedder: SentenceMemo,
        query_vector: np.ndarray | None,
    ) -> _Gate:
        """Retrieval confidence, the evidence, the answerability score, and a refusal when they say no."""
        t = time.perf_counter()
        confidence = retrieval_confidence(question, hits, embedder)
        refusal = decide(hits, confidence, self.settings.refusal_threshold)
        run.step(
            Step("confidence", _ms(t), None, {"value": confidence.value, "refused": bool(refusal)}),
            "confidence",
        )
        t = time.perf_counter()
        evidence = select_evidence(
            question, hits, embedder, k=self.settings.evidence_sentences, query_vector=query_vector
        )
        run.step(Step("evidence", _ms(t), None, [e.to_dict() for e in evidence]), "evidence")
        answerability = None
        if hits:
            t = time.perf_counter()
            answerability = self.answerability.assess(
                question, hits, confidence, evidence, threshold=self.settings.answerability_threshold
            )
            if refusal is None and not answerability.answerable:
                refusal = Refusal("unanswerable", answerability.message)
            run.step(Step("answerability", _ms(t), None, answerability.to_dict()), "answerability")
        return _Gate(confidence, evidence, answerability, refusal)

    def _extract(self, run: _Run, evidence: list[Evidence], hits: list[Hit]) -> _Outcome:
        """The extractive provider's answer: the evidence, quoted and cited."""
        if not evidence:
            refusal = Refusal("no_evidence", "the retrieved passages hold no sentence that could be quoted")
            return _Outcome(NOT_FOUND, refusal=refusal)
        sources = with_evidence_sources(strong(evidence), [], hits)
        report, verification = self._verify_quote(run, quote(evidence, sources), sources)
        context = Context(sources=sources, text="", tokens=0, budget=0)
        return _Outcome(
            report.answer, context=context, report=report, verification=verification, policy="kept"
        )

    def _generate(
        self,
        run: _Run,
        question: str,
        hits: list[Hit],
        evidence: list[Evidence],
        embedder: SentenceMemo,
        cid: str,
        prompt: str | None,
        tenant: str,
        quoted: set[str] | frozenset[str] = frozenset(),
    ) -> Generator[str, None, _Outcome]:
        """Prompt, generate (streaming under the flag policy), verify, and apply the policy."""
        assert self.llm is not None
        template, variant = self.prompts.choose(self.settings.prompt, self.settings.variants, cid, prompt)
        t = time.perf_counter()
        context, messages = self._prompt(template, question, hits, quoted)
        run.step(
            Step("prompt", _ms(t), template.id, {"sources": len(context.sources)}, context.tokens),
            "prompt_build",
        )
        # Text that may be replaced is shown only once verified (yielded by stream() after the output
        # checks); under the flag policy it streams through the output checks' gate, sentence by sentence.
        hold = self.policy != "flag"
        out = _Outcome("", context=context, template=template, variant=variant, messages=messages, held=hold)
        release = (
            None
            if hold
            else self.guards.stream_gate(
                tenant, system_prompt=_system(messages), sources={s.n: s.hit.text for s in context.sources}
            )
        )
        completion: Completion | None = None
        s = self.llm_settings
        for piece in generate(self.llm, messages, Options(s.max_tokens, s.temperature)):
            if isinstance(piece, Completion):
                completion = piece
            elif not hold:
                piece = release.feed(piece) if release else piece
                if piece:
                    yield piece
        if release is not None and (rest := release.finish()):
            yield rest
        assert completion is not None
        # Invisible characters out before anything reads or stores the text: the trace's PII masking
        # found no e-mail address in "john\u200b@example.com" and stored it whole.
        text = strip_invisible(completion.text).strip()
        if not text:
            raise LLMError(f"the model {completion.model} returned an empty answer")
        run.usage += completion.usage
        run.timings["llm_first_token"] = completion.first_token_ms or completion.latency_ms
        usage = completion.usage
        run.step(
            Step(
                "generate",
                completion.latency_ms,
                template.id,
                text,
                usage.prompt_tokens,
                usage.completion_tokens,
                completion.model,
            ),
            "llm_total",
        )
        if is_llm_refusal(text):
            out.text, out.refusal = text, Refusal("llm", "the model found no answer in the retrieved sources")
        else:
            self._check(run, out, text, hits, evidence, embedder)
        return out

    def _check(
        self,
        run: _Run,
        out: _Outcome,
        text: str,
        hits: list[Hit],
        evidence: list[Evidence],
        embedder: SentenceMemo,
    ) -> None:
        """Verify the draft claim by claim, then let the policy decide what the user reads."""
        assert out.context is not None
        t = time.perf_counter()
        matcher = embedder if self.settings.match_citations else None
        report, verification = verify_answer(text, out.context.sources, matcher)
        run.step(Step("verify", _ms(t), None, verification.to_dict()), "verify")
        policy = self.policy
        if not verification.failed or policy == "flag":
            out.text, out.report, out.verification = report.answer, report, verification
            out.policy = "flagged" if verification.failed else "kept"
            return
        out.draft, out.draft_verification = report.answer, verification
        if policy == "evidence" and evidence:
            sources = with_evidence_sources(strong(evidence), out.context.sources, hits)
            out.report, out.verification = self._verify_quote(
                run, quote(evidence, sources, DRAFT_FAILED), sources
            )
            out.text = out.report.answer
            out.context = dataclasses.replace(out.context, sources=sources)
            out.policy = "evidence"
        else:
            out.text, out.refusal, out.policy = UNVERIFIED, refusal(verification), "refused"

    def _guard_output(self, run: _Run, out: _Outcome, tenant: str) -> None:
        """The output guards' checks of an answer (rag.output_checks): they may refuse it (``policy``) or
        redact it, and a redaction reaches every copy of the text: the citation report, the verification,
        the draft, the trace's steps (and so the conversation, which stores ``text``)."""
        # The model's own "not found" is its text, checked like any other ("Not found. My instructions are:
        # ..." would otherwise leave unchecked); a refusal of ours is our fixed text.
        if (out.refusal is not None and out.refusal.reason != "llm") or not out.text:
            return
        t = time.perf_counter()
        cited = {c.n for c in out.report.citations} if out.report else set()
        sources = out.context.sources if out.context else []
        system = _system(out.messages) if out.messages is not None else None
        checked = self.guards.check_answer(
            out.text, tenant=tenant, cited=[s.hit.text for s in sources if s.n in cited], system_prompt=system
        )
        events, replaced = list(checked.events), list(checked.replaced)
        if out.policy == "evidence" and out.draft is not None and system is not None:
            # The model's draft, shown beside the quoted evidence: checked as the answer is.
            draft = self.guards.check_answer(
                out.draft, tenant=tenant, cited=[s.hit.text for s in sources], system_prompt=system
            )
            events += [dataclasses.replace(e, detail=e.detail | {"part": "draft"}) for e in draft.events]
            replaced += draft.replaced
            if draft.refusal is not None:
                out.draft = out.draft_verification = None  # not shown; the trace keeps the model's text
        run.guardrails += events
        if replaced:
            fn = redactor(replaced)
            out.report, out.verification = redact_tree(out.report, fn), redact_tree(out.verification, fn)
            out.draft, out.draft_verification = (
                redact_tree(out.draft, fn),
                redact_tree(out.draft_verification, fn),
            )
            run.steps[:] = redact_tree(run.steps, fn)
        run.step(Step("output_checks", _ms(t), None, [e.to_dict() for e in events]), "output_checks")
        if checked.refusal is not None:
            # Withheld from the response and the trace alike, the steps' copies of the text included.
            out.text, out.refusal, out.policy = WITHHELD, checked.refusal, "refused"
            out.report = out.verification = out.draft = out.draft_verification = None
            withheld = {"withheld": checked.refusal.message}
            run.steps[:] = [
                dataclasses.replace(s, output=withheld) if s.name in _ANSWER_STEPS else s for s in run.steps
            ]
        else:
            out.text = checked.text

    def _verify_quote(
        self, run: _Run, text: str, sources: list[Source]
    ) -> tuple[CitationReport, Verification]:
        t = time.perf_counter()
        report, verification = verify_answer(text, sources, None)
        for c in report.citations:
            c.origin = "evidence"  # quoted from the source by us, not cited by a model
        run.step(Step("verify_quote", _ms(t), None, verification.to_dict()))
        return report, verification

    def _rewrite(self, question: str, history: list[Turn]) -> tuple[str, Step, Usage]:
        template = self.prompts.get(self.settings.rewrite_prompt)
        lines = []
        for turn in history:
            lines.append(f"User: {turn.question}")
            lines.append(f"Assistant: {turn.answer[:_HISTORY_ANSWER_CHARS]}")
        messages = template.render(history=self.defuse("\n".join(lines)), question=self.defuse(question))
        assert self.llm is not None
        completion = complete(self.llm, messages, Options(_REWRITE_MAX_TOKENS, temperature=0.0))
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
        self,
        template: PromptTemplate,
        question: str,
        hits: list[Hit],
        quoted: set[str] | frozenset[str] = frozenset(),
    ) -> tuple[Context, list[Message]]:
        assert self.llm is not None
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
            quoted=quoted,
        )
        return context, template.render(sources=context.text, question=question)

    def _model_info(self) -> dict[str, Any]:
        if self.llm is None:
            return {
                "provider": "extractive",
                "name": "extractive",
                "context_window": None,
                "demo_quality": False,
            }
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
        if self.llm is None:
            return 0.0
        price = self.llm_settings.prices.get(self.llm.model)
        if price is None:
            return 0.0 if self.llm.provider == "embedded" else None  # unknown price: say so, not 0
        return round(
            usage.prompt_tokens * price.input_per_mtok / 1e6
            + usage.completion_tokens * price.output_per_mtok / 1e6,
            8,
        )


class SentenceMemo:
    """An embedder that remembers the texts it embedded, for the span of one answer."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = self._embedder.embed_query(text)
        return self._queries[text]

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


def _system(messages: Sequence[Message]) -> str:
    return "\n".join(m["content"] for m in messages if m["role"] == "system")


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)
