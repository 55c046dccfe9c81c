"""One fact of a claim against the sources: supported, contradicted or unsupported.

Support is local. The fact is compared only with source sentences related to the claim: sentences
holding the claim's other content words (``rag.verify.sources.related``: "the warranty on a Porter
robot" for "6 months"). The same value in an unrelated sentence supports nothing: "Priya Raman" in an
attendee list does not say she owns the migration, a 6 in a price list's lead-time column is not a
6-month warranty.

Of the related sentences that hold a fact of the claim's kind, the most related decides: an equal
value there supports the claim; another value of the same kind (a person for a person, a date for a
date, a duration of the same base) contradicts it, even if the claim's value is said in a less related
sentence. On a tie, support wins: a sentence that says the claim's value is as much about it as one
that says another.
"""

from __future__ import annotations

from rag.facts import Fact
from rag.question import content_stems
from rag.verify.alignment import NEAR_DUPLICATE_SHARE, aligned, found
from rag.verify.claim import Claim
from rag.verify.compare import conflicts, said_in
from rag.verify.report import FactCheck
from rag.verify.sources import SourceSentence, SourceView, related

# A source sentence is related to a claim when it holds this share of the claim's content words (but
# the fact's own), itself or in its context; to contradict, also at least two of them.
SUPPORT_SHARE = 0.25
RELATED_SHARE = 0.34
# How many words either side of a fact say what it is the value of.
SLOT_WORDS = 4
SLOT_CHARS = 200  # four words are far shorter; a longer "word" is no word

_Found = tuple[tuple[float, int, int], SourceView, SourceSentence, Fact]


def check_fact(fact: Fact, claim: Claim, views: list[SourceView]) -> FactCheck:
    # 1. The source sentence the claim copies, if any: align the two word by word.
    if claim.copy_of is not None:
        got = aligned(fact, claim, claim.copy_of)
        if got is not None:
            return got
    ctx = claim.context(fact)
    slot: set[str] | None = None  # read only when a conflicting value turns up: most facts need none
    support: _Found | None = None
    against: _Found | None = None
    for view in views:
        for sent in view.sentences:
            score = related(ctx, sent)
            share, common, _ = score
            if ctx and (share < SUPPORT_SHARE or common < 1):
                continue
            g = said_in(fact, sent)
            if g is not None:
                if support is None or score > support[0]:
                    support = (score, view, sent, g)
                continue
            # 2. Another value of the same kind in a sentence about the same thing.
            if share < RELATED_SHARE or common < min(2, len(ctx)) or not ctx:
                continue
            if against is not None and score <= against[0]:
                continue
            facts = sent.with_names() if fact.kind == "entity" else sent.facts
            close = share >= NEAR_DUPLICATE_SHARE
            conflicting = [g for g in facts if conflicts(fact, g, close=close)]
            if not conflicting:
                continue
            if slot is None:
                slot = _around(claim.text, fact.start, fact.end, 0, len(claim.text))
            g = next((g for g in conflicting if _same_slot(slot, view, sent, g)), None)
            if g is not None:
                against = (score, view, sent, g)
    if support is not None and (against is None or support[0][:2] >= against[0][:2]):
        return found(fact, "supported", *support[1:])
    if against is not None:
        return found(fact, "contradicted", *against[1:])
    return FactCheck(fact, "unsupported")


def _same_slot(slot: set[str], view: SourceView, sent: SourceSentence, g: Fact) -> bool:
    """g stands where the claim's fact stands: a word next to it is one next to the claim's fact ("Aiko
    Tanaka owns the migration" for "Priya Raman owns the migration"). Another name merely in a related
    sentence ("... the largest in East-Central Europe" against "... in Poland") contradicts nothing. A
    table row is one slot: its cells and header are all next to each other."""
    if sent.header:
        return True
    return bool(slot & _around(view.text, g.start, g.end, sent.start, sent.end))


def _around(text: str, start: int, end: int, lo: int, hi: int) -> set[str]:
    """Content words among the few words either side of text[start:end], within text[lo:hi]."""
    # Split from the fact outwards, only as far as needed and within SLOT_CHARS: a sentence may hold
    # thousands of facts, or be one endless "word" ("3-3-3-...-year").
    before = text[max(lo, start - SLOT_CHARS) : start].rsplit(None, SLOT_WORDS)[-SLOT_WORDS:]
    after = text[end : min(hi, end + SLOT_CHARS)].split(None, SLOT_WORDS)[:SLOT_WORDS]
    return content_stems(" ".join(before + after))
