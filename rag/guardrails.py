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
from core.settings import GuardrailSettings
from core.types import Hit
from rag.output_checks import OutputChecks, StreamGate
from rag.refuse import Refusal


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
    def __init__(self, settings: GuardrailSettings) -> None:
        self.settings = settings
        self._output: dict[str, OutputChecks] = {}  # tenant -> its output checks

    def screen_question(self, question: str, tenant: str) -> Screened:
        return Screened()

    def admit(self, hits: list[Hit], tenant: str) -> Admitted:
        return Admitted(hits)

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

    def stream_gate(self, tenant: str, *, system_prompt: str, sources: dict[int, str]) -> StreamGate | None:
        """What a streamed answer passes through, sentence by sentence (None: output checks off, the text
        streams as it comes). ``sources``: the prompt's source texts by number."""
        checks = self._output_checks(tenant)
        return StreamGate(checks, system_prompt, sources) if checks.enabled else None

    def _output_checks(self, tenant: str) -> OutputChecks:
        if tenant not in self._output:
            self._output[tenant] = OutputChecks(self.settings.for_tenant(tenant))
        return self._output[tenant]
