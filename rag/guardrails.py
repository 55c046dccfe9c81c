"""Guardrails on the answer path: question -> screen (prompt injection) -> hits admitted to the prompt
(flagged chunks excluded, quoted or allowed) -> answer checked (system prompt, secrets, PII, denied terms).

Each step returns the ``GuardEvent``s it decided, which the Answerer keeps on the ``Answer`` for the trace
and the metrics. Settings are resolved per tenant (``GuardrailSettings.for_tenant``). Nothing here calls
an external service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.guard.events import GuardEvent
from core.guard.injection import Encoder, InjectionScreen, attack_vectors
from core.settings import GuardrailSettings
from core.types import Hit
from rag.output_checks import OutputChecks, StreamGate
from rag.refuse import Refusal
from rag.screen import QUESTION_REFUSED, hit_note, question_screening


@dataclass
class Screened:
    """A question's screen: the events, and a refusal (reason ``policy``) when the settings say refuse."""

    events: list[GuardEvent] = field(default_factory=list)
    refusal: Refusal | None = None


@dataclass
class Admitted:
    """The hits a prompt may use; ``quoted``: chunk ids put in with a warning that they look like
    instructions."""

    hits: list[Hit]
    quoted: set[str] = field(default_factory=set)
    events: list[GuardEvent] = field(default_factory=list)


@dataclass
class Checked:
    """The answer as the reader may see it, with the events, and a refusal when a check refused it."""

    text: str
    events: list[GuardEvent] = field(default_factory=list)
    refusal: Refusal | None = None
    # (original, replacement) of each redaction, to apply to every other copy of the text (rag.output_checks)
    replaced: list[tuple[str, str]] = field(default_factory=list)


class AnswerGuards:
    def __init__(self, settings: GuardrailSettings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._output: dict[str, OutputChecks] = {}  # tenant -> its output checks
        # ``encoder``: the service's embedder, for the question's similarity to known attack phrasings.
        self.injection = InjectionScreen(encoder)

    def screen_question(self, question: str, tenant: str) -> Screened:
        """The injection screen on the question: a flagged one is answered with the flag recorded, or
        refused with reason ``policy`` (``injected_questions``)."""
        s = self.settings.for_tenant(tenant)
        if not s.injection:
            return Screened()
        found = question_screening(self.injection, question)
        if found.score < s.injection_threshold:
            return Screened()
        refuse = s.injected_questions == "refuse"
        event = GuardEvent(
            "injection",
            "flagged",
            "refused" if refuse else "recorded",
            score=found.score,
            reason="the question looks like instructions to the assistant: " + ", ".join(found.reasons),
            target="question",
            detail={"reasons": found.reasons},
        )
        return Screened([event], Refusal("policy", QUESTION_REFUSED) if refuse else None)

    def admit(self, hits: list[Hit], tenant: str) -> Admitted:
        """Flagged hits (scored at ingest, or now for points written before scoring) are left out of the
        prompt, quoted with a warning, or let through (``injected_chunks``); one event per flagged hit."""
        s = self.settings.for_tenant(tenant)
        if not s.injection:
            return Admitted(hits)
        kept: list[Hit] = []
        quoted: set[str] = set()
        events: list[GuardEvent] = []
        action = {"exclude": "excluded", "quote": "quoted", "allow": "recorded"}[s.injected_chunks]
        for h in hits:
            note = hit_note(self.injection, h, s.injection_threshold)
            if not note["flagged"]:
                kept.append(h)
                continue
            events.append(
                GuardEvent(
                    "injection",
                    "flagged",
                    action,  # type: ignore[arg-type]
                    score=note["score"],
                    reason="the passage looks like instructions to the assistant: "
                    + ", ".join(note["reasons"]),
                    target="chunk",
                    detail={"chunk_id": h.chunk_id, "doc_id": h.doc_id, "reasons": note["reasons"]},
                )
            )
            if s.injected_chunks == "exclude":
                continue
            if s.injected_chunks == "quote":
                quoted.add(h.chunk_id)
            kept.append(h)
        return Admitted(kept, quoted, events)

    def check_answer(
        self, text: str, *, tenant: str, cited: Sequence[str], system_prompt: str | None
    ) -> Checked:
        """``cited``: the texts of the sources the answer cites; ``system_prompt``: what the model was
        told (None: the extractive provider's answer, quoted from the sources). See rag.output_checks."""
        checks = self._output_checks(tenant)
        if not checks.enabled:
            return Checked(text)
        r = checks.check(text, cited=cited, system_prompt=system_prompt)
        return Checked(r.text, r.events, r.refusal, r.replaced)

    def warm_up(self) -> None:
        """Load what the first answer would otherwise wait for: the attack phrasings' vectors, the secrets
        plugins and, where a tenant's settings use it, the PII engine (about 5 s)."""
        if self.injection.encoder is not None:
            attack_vectors(self.injection.encoder, self.injection.attacks)
        for tenant in ["", *self.settings.tenants]:
            s = self.settings.for_tenant(tenant)
            if s.output_checks or s.pii_in_answers == "mask":
                self._output_checks(tenant).warm_up()

    def stream_gate(self, tenant: str, *, system_prompt: str, sources: dict[int, str]) -> StreamGate | None:
        """What a streamed answer passes through, sentence by sentence (None: output checks off, the text
        streams as it comes). ``sources``: the prompt's source texts by number."""
        checks = self._output_checks(tenant)
        return StreamGate(checks, system_prompt, sources) if checks.enabled else None

    def _output_checks(self, tenant: str) -> OutputChecks:
        if tenant not in self._output:
            self._output[tenant] = OutputChecks(self.settings.for_tenant(tenant))
        return self._output[tenant]
