"""What verification returns: a verdict per fact, per sentence, and for the whole answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from rag.facts import Fact

Verdict = Literal["supported", "contradicted", "unsupported", "unverifiable"]
VERDICTS: tuple[Verdict, ...] = ("supported", "contradicted", "unsupported", "unverifiable")
FLAGGED: frozenset[str] = frozenset({"contradicted", "unsupported"})


@dataclass
class FactCheck:
    fact: Fact  # offsets within the answer sentence
    verdict: Verdict
    source: int | None = None  # the Source.n compared to
    source_text: str | None = None  # the span of that source compared
    source_span: tuple[int, int] | None = None  # offsets in that Source.hit.text
    source_sentence: str | None = None  # the source sentence holding that span

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact.to_dict(),
            "verdict": self.verdict,
            "source": self.source,
            "source_text": self.source_text,
            "source_span": list(self.source_span) if self.source_span else None,
            "source_sentence": self.source_sentence,
        }

    def describe(self) -> str:
        """What the sources say about the fact, in words: "[1] says '3-year'", or that none states it."""
        if self.source is not None and self.source_text:
            return f"[{self.source}] says {self.source_text!r}"
        return "it is in none of the sources"


@dataclass
class SentenceCheck:
    index: int
    text: str
    verdict: Verdict
    checks: list[FactCheck] = field(default_factory=list)
    against: list[int] = field(default_factory=list)  # source numbers checked

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "verdict": self.verdict,
            "checks": [c.to_dict() for c in self.checks],
            "against": self.against,
        }

    def supporting_source(self) -> int | None:
        """The source that supported most of the sentence's facts, if any did."""
        ns = [c.source for c in self.checks if c.verdict == "supported" and c.source is not None]
        return Counter(ns).most_common(1)[0][0] if ns else None


@dataclass
class Verification:
    sentences: list[SentenceCheck]

    def counts(self) -> dict[str, int]:
        c = Counter(s.verdict for s in self.sentences)
        return {v: c.get(v, 0) for v in VERDICTS}

    @property
    def failed(self) -> bool:
        return any(s.verdict in FLAGGED for s in self.sentences)

    @property
    def flagged(self) -> list[int]:
        return [s.index for s in self.sentences if s.verdict in FLAGGED]

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "failed": self.failed,
            "flagged": self.flagged,
            "sentences": [s.to_dict() for s in self.sentences],
        }


def sentence_verdict(checks: list[FactCheck]) -> Verdict:
    """Contradicted if any fact is; else unsupported if any is; else supported if any fact was checked."""
    verdicts = {c.verdict for c in checks}
    for v in ("contradicted", "unsupported", "supported"):
        if v in verdicts:
            return v  # type: ignore[return-value]
    return "unverifiable"
