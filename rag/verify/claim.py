"""The claim side of verification: one answer sentence, its facts and its content words."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rag.facts import NUMERIC_KINDS, Fact
from rag.question import content_stems
from rag.verify.sources import SourceSentence, SourceView, value_key


@dataclass
class Copy:
    """The source sentence a claim copies but for a value or two (rag.verify.alignment)."""

    view: SourceView
    sentence: SourceSentence
    ratio: float  # how much of the word order is the same (difflib), 1.0 for a verbatim copy


class Claim:
    def __init__(self, text: str, facts: list[Fact]) -> None:
        self.text = text
        self.facts = facts
        # Content words without the values: two sentences about the same thing share these.
        blanked = text
        for f in facts:
            if f.kind in NUMERIC_KINDS:
                blanked = _blank(blanked, f)
        self.blanked = blanked
        self.stems = content_stems(blanked)
        self.copy_of: Copy | None = None
        # Counted once: context() runs per fact, and a sentence may hold thousands of figures.
        self._values = Counter(value_key(f) for f in facts if f.kind in NUMERIC_KINDS)

    def context(self, fact: Fact) -> set[str]:
        """What the claim says its fact about: its content words but the fact's own and the figures
        ("the warranty on a Porter robot" for "6 months"; "owns the migration to GitLab CI" for "Priya
        Raman"). Figures count as whole values, not as words: "firmware 4.1" relates a sentence to the
        title "Porter firmware 4.1 release notes", the "2" of "2 June" relates nothing."""
        words = self.stems - content_stems(fact.text) if fact.kind in {"entity", "quote"} else self.stems
        values = set(self._values)
        if fact.kind in NUMERIC_KINDS and self._values[value_key(fact)] == 1:
            values.discard(value_key(fact))  # its own value, said nowhere else in the claim
        return words | values


def _blank(text: str, fact: Fact) -> str:
    return text[: fact.start] + " " * (fact.end - fact.start) + text[fact.end :]
