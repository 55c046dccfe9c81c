"""Output checks: an answer -> refused, redacted or let through, with one ``GuardEvent`` per check.

- ``deny``: a tenant's ``deny_terms``, matched case-insensitively as whole words (a phrase with any
  spacing between its words) -> refused, reason ``policy``. Applied to answers only: the question is
  the user's, and an answer that stays off the topic is fine.
- ``prompt_leak``: the answer repeats the model's instructions: the words of the answer that sit in runs
  of five or more words the system message also holds (its instruction text: any <source> block in it is
  left out, and so is any run a cited source holds too), ``prompt_leak_words`` or more -> refused.
- ``secrets``: API keys, tokens, private keys, passwords (core.guard.secrets) -> ``[REDACTED SECRET]``.
- ``output_pii``: PII (core.guard.pii) that none of the cited sources holds -> ``<KIND>``.
- ``pii`` (``pii_in_answers=mask``): every PII finding -> ``<KIND>``, action ``masked``.

The extractive provider's answers are the sources' own sentences, quoted: no prompt can leak and all the
PII is in the cited sources, so only ``deny``, ``secrets`` and the ``pii`` mask apply to them.

``StreamGate`` lets a streamed answer out sentence by sentence, each once the text so far passes the
same checks (with the sources cited so far, fewer than at the end, so never laxer). A redaction is made
before the text leaves; a refusal stops the stream, and the final record says refused and carries the
text to show instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from core.guard.events import GuardEvent
from core.guard.injection import normalise
from core.guard.pii import PiiDetector, detector
from core.guard.secrets import REDACTED, SecretFinder, finder
from core.settings import GuardrailSettings
from core.types import Hit
from rag.cite import MARKER
from rag.prompt.context import Source
from rag.refuse import Refusal
from rag.verify.check import strip_invisible

WITHHELD = "The answer was withheld: it broke this service's content policy."
LEAK = "the answer repeated the instructions the model was given"
DENIED = "the answer touched a term or topic this service may not discuss"
SHINGLE = 5  # words in a run shared with the instructions

_WORD = re.compile(r"\w+")
_SOURCE_BLOCK = re.compile(r"<source\b.*?</source>", re.DOTALL)
_DIGITS = re.compile(r"\D+")
_SPACE = re.compile(r"\s+")
_NUMERIC_PII = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "UK_NHS"})
_NOT_A_NAME = re.compile(r"[\d._/\\`@:=<>{}()\[\]]")
# A number as written in a source, spaced or punctuated or not (a phone number, an IBAN, a card).
_NUMBER_LIKE = re.compile(r"\+?[\dA-Z](?:[\dA-Z]|[ .\-/()](?=[\dA-Z(]))*")
_DENY_WORDS = re.compile(r"[^\W_]+|[+#&@]+")  # a term's words, and the symbols that make a name (C++, C#)
_OPEN_SINGLE_QUOTED = re.compile(r"[=:]\s*'[^'\n]*$")  # key = 'value not closed yet (not "don't")
_RELEASE = re.compile(r"(?<=[.!?])[\"')\]]?\s+|\n")  # where a streamed answer may be let out


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    replacement: str


@dataclass
class Result:
    text: str
    events: list[GuardEvent] = field(default_factory=list)
    refusal: Refusal | None = None
    spans: list[Span] = field(default_factory=list)  # replaced in the text given, sorted, disjoint
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (original, replacement)


class OutputChecks:
    """The checks for one tenant's settings (``GuardrailSettings.for_tenant``)."""

    def __init__(self, settings: GuardrailSettings) -> None:
        self.settings = settings
        # Terms and answers are compared as the injection screen reads text (core.guard.injection.normalise:
        # invisible characters gone, look-alike letters, full-width forms and accents folded, lower case);
        # the words of a phrase may be joined by anything that is not a letter or digit, or by nothing
        # ("project-falcon", "**project** *falcon*", "ProjectFalcon").
        terms = [_DENY_WORDS.findall(normalise(t)) for t in settings.deny_terms]
        terms = [t for t in terms if t]
        self._deny = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(map(_joined, terms)) + r")(?![^\W_])") if terms else None
        )

    def warm_up(self) -> None:
        s = self.settings
        if s.output_checks and s.secrets:
            _secrets()
        if (s.output_checks and s.output_pii) or s.pii_in_answers == "mask":
            _pii(s).find("warm up")  # the engine loads on its first use

    @property
    def enabled(self) -> bool:
        return self.settings.output_checks or self.settings.pii_in_answers == "mask"

    def check(self, text: str, *, cited: Sequence[str], system_prompt: str | None) -> Result:
        """``system_prompt``: what the model was told (None: no model, an extractive answer)."""
        s = self.settings
        events: list[GuardEvent] = []
        refusal = None
        if s.output_checks:
            if self._deny is not None:
                hits = len(self._deny.findall(normalise(text)))
                events.append(_event("deny", hits, "refused", DENIED if hits else None, {"terms": hits}))
                refusal = Refusal("policy", DENIED) if hits else None
            if s.prompt_leak and system_prompt is not None:
                words = leaked_words(text, system_prompt, cited)
                leak = words >= s.prompt_leak_words
                score = round(words / max(len(_words(instructions(system_prompt))), 1), 4)
                events.append(
                    _event("prompt_leak", leak, "refused", LEAK if leak else None, {"words": words})
                )
                events[-1] = replace(events[-1], score=min(score, 1.0))
                refusal = refusal or (Refusal("policy", LEAK) if leak else None)
        spans, more = self._redactions(text, cited, generated=system_prompt is not None)
        events += more
        return Result(
            _apply(text, spans),
            events,
            refusal,
            spans,
            _pairs(text, spans),
        )

    def _redactions(
        self, text: str, cited: Sequence[str], *, generated: bool
    ) -> tuple[list[Span], list[GuardEvent]]:
        s = self.settings
        spans: list[Span] = []
        events: list[GuardEvent] = []
        if s.output_checks and s.secrets:
            found = _secrets().find(text)
            spans += [Span(f.start, f.end, REDACTED) for f in found]
            events.append(_event("secrets", found, "redacted", "secrets in the answer", _count(found)))
        unsourced_check = s.output_checks and s.output_pii and generated
        if unsourced_check or s.pii_in_answers == "mask":
            pii = [
                p
                for p in _pii(s).find(text)
                if _plausible(p.kind, text[p.start : p.end]) and not any(_overlap(p, sp) for sp in spans)
            ]
            unsourced = [
                p for p in pii if unsourced_check and not _in_sources(text[p.start : p.end], p.kind, cited)
            ]
            if unsourced_check:
                reason = "personal data none of the cited sources holds"
                events.append(_event("output_pii", unsourced, "redacted", reason, _count(unsourced)))
            masked = [p for p in pii if p not in unsourced] if s.pii_in_answers == "mask" else []
            if s.pii_in_answers == "mask":
                events.append(_event("pii", masked, "masked", "personal data in the answer", _count(masked)))
            spans += [Span(p.start, p.end, f"<{p.kind}>") for p in [*unsourced, *masked]]
        return sorted(spans, key=lambda sp: sp.start), events


class StreamGate:
    """A streamed answer let out sentence by sentence, each part once the text so far passes the checks."""

    def __init__(self, checks: OutputChecks, system_prompt: str, sources: dict[int, str]) -> None:
        self.checks = checks
        self.system_prompt = system_prompt
        self.sources = sources
        self.text = ""
        self.released = 0  # characters of ``text`` let out
        self.stopped = False  # refused: nothing more leaves

    def feed(self, piece: str) -> str:
        # Invisible characters go first, as the final check drops them: "AKIA\u200b..." matched no
        # detector here and reached the reader whole, while the final answer had it redacted.
        # The unreleased tail is cleaned as a whole: a joiner is removed by its neighbours, which may come in
        # the next piece.
        self.text = self.text[: self.released] + strip_invisible(self.text[self.released :] + piece)
        ends = [e for e in (m.end() for m in _RELEASE.finditer(self.text, self.released)) if self._closed(e)]
        return self._release(ends[-1], final=False) if ends else ""

    def _closed(self, end: int) -> bool:
        """Whether ``end`` is outside quotes on its line: a sentence end inside a quoted value
        (password = "a. b") is not one, and a detector matches the value only once its quote closes."""
        line = self.text[self.text.rfind("\n", 0, end) + 1 : end]
        return line.count('"') % 2 == 0 and not _OPEN_SINGLE_QUOTED.search(line)

    def finish(self) -> str:
        return self._release(len(self.text), final=True)

    def _release(self, end: int, *, final: bool) -> str:
        if self.stopped or end <= self.released:
            return ""
        candidate = self.text[:end]
        cited = {int(n) for m in MARKER.finditer(candidate) for n in re.findall(r"\d+", m.group(1))}
        result = self.checks.check(
            candidate,
            cited=[self.sources[n] for n in sorted(cited) if n in self.sources],
            system_prompt=self.system_prompt,
        )
        if result.refusal is not None:
            self.stopped = True
            return ""
        if not final:  # a redaction up to the end may be a key block or token not yet complete: wait
            end = min([sp.start for sp in result.spans if sp.end >= end] + [end])
            if end <= self.released:
                return ""
        out, at = [], self.released
        for sp in result.spans:
            if sp.end <= self.released or sp.start >= end:
                continue
            out += [candidate[at : max(sp.start, at)], sp.replacement]
            at = sp.end
        out.append(candidate[at:end] if at < end else "")
        self.released = max(end, at)
        return "".join(out)


def _joined(words: list[str]) -> str:
    return r"[\W_]*".join(map(re.escape, words))


def instructions(system_prompt: str) -> str:
    """The system message's own text: retrieved text put in it (a <source> block) is not instructions."""
    return _SOURCE_BLOCK.sub(" ", system_prompt)


def leaked_words(answer: str, system_prompt: str, cited: Iterable[str] = ()) -> int:
    """How many words of ``answer`` sit in runs of ``SHINGLE`` words the instructions hold (and no cited
    source does)."""
    told = _shingles(_words(instructions(system_prompt)))
    for text in cited:
        told -= _shingles(_words(text))
    words = _words(answer)
    covered = [False] * len(words)
    for i in range(len(words) - SHINGLE + 1):
        if tuple(words[i : i + SHINGLE]) in told:
            covered[i : i + SHINGLE] = [True] * SHINGLE
    return sum(covered)


def redactor(replaced: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """A function replacing each original (longest first) in any text: the same secret or PII wherever a
    copy of the answer sits (citation sentences, verification, the draft, the trace's steps)."""
    pairs = sorted({(o, r) for o, r in replaced if o}, key=lambda p: -len(p[0]))
    if not pairs:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(o) for o, _ in pairs))
    table = dict(pairs)
    return lambda text: pattern.sub(lambda m: table[m.group(0)], text)


def redact_tree(obj: Any, fn: Callable[[str], str]) -> Any:
    """``obj`` with ``fn`` applied to every string in it (dataclasses, lists, tuples, dicts), copied where
    something changed; retrieved text (``Source``, ``Hit``) is left as it is. A fact whose text changed
    takes the new text as its value too (its value could be the redacted number)."""
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, Source | Hit) or obj is None:
        return obj
    if isinstance(obj, list):
        return [redact_tree(x, fn) for x in obj]
    if isinstance(obj, tuple):
        return tuple(redact_tree(x, fn) for x in obj)
    if isinstance(obj, dict):
        return {k: redact_tree(v, fn) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in fields(obj):
            if not f.init:
                continue
            old = getattr(obj, f.name)
            new = redact_tree(old, fn)
            if new is not old and new != old:
                changes[f.name] = new
        if "text" in changes and hasattr(obj, "value") and hasattr(obj, "kind"):
            changes["value"] = changes["text"]  # a rag.facts.Fact
        return replace(obj, **changes) if changes else obj
    return obj


def _event(guard: str, found: Any, action: str, reason: str | None, detail: dict[str, Any]) -> GuardEvent:
    flagged = bool(found)
    return GuardEvent(
        guard,
        "flagged" if flagged else "pass",
        action if flagged else "none",  # type: ignore[arg-type]
        reason=reason if flagged else None,
        target="answer",
        detail=detail if flagged else {},
    )


def _count(spans: Sequence[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in spans:
        out[s.kind] = out.get(s.kind, 0) + 1
    return out


def _in_sources(value: str, kind: str, cited: Sequence[str]) -> bool:
    """Whether a cited source holds this PII: by its digits for numbers (written with other spacing or
    punctuation), else case and spacing aside."""
    if kind in _NUMERIC_PII:
        # Each number of a source on its own: the digits of a whole source run together would "hold" a
        # made-up number spanning two neighbouring ones.
        digits = _DIGITS.sub("", value)
        numbers = (_DIGITS.sub("", n) for c in cited for n in _NUMBER_LIKE.findall(c))
        return bool(digits) and any(digits in n for n in numbers)
    norm = _SPACE.sub(" ", value).strip().casefold()
    return any(norm in _SPACE.sub(" ", c).casefold() for c in cited)


def _plausible(kind: str, value: str) -> bool:
    """spaCy's small model takes file names and identifiers in code for people ("fw.bin", "cfg_path"):
    a name has no digits, dots, underscores, slashes or backticks."""
    return kind != "PERSON" or not _NOT_A_NAME.search(value)


def _overlap(a: Any, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _pairs(text: str, spans: Sequence[Span]) -> list[tuple[str, str]]:
    """(original, replacement) of each span, and of each line of a span over several lines (a key block
    is split into sentences by the citation report and the verification)."""
    pairs = []
    for sp in spans:
        original = text[sp.start : sp.end]
        pairs.append((original, sp.replacement))
        pairs += [(line.strip(), sp.replacement) for line in original.splitlines() if len(line.strip()) >= 8]
    return pairs


def _apply(text: str, spans: Sequence[Span]) -> str:
    out, at = [], 0
    for sp in spans:
        if sp.start < at:
            continue
        out += [text[at : sp.start], sp.replacement]
        at = sp.end
    return "".join(out) + text[at:]


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _secrets() -> SecretFinder:
    return finder()


def _pii(settings: GuardrailSettings) -> PiiDetector:
    return detector(settings.pii_entities, settings.pii_min_score)
