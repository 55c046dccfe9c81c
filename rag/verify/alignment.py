"""A claim that copies a source sentence but for a value: the two aligned word by word.

When most of a claim's content words are in one source sentence (or most of its word sequence is), the
claim is a near duplicate of it. Aligned word by word, a value the claim copied is supported, and a value
put where the source has another of the same kind is contradicted, even when the claim's value is said
elsewhere in the sources ("... was Ondemar Dias in 1542" against "... was Francisco de Orellana in
1542", Ondemar Dias being named in the next sentence).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from rag.facts import Fact, normalise
from rag.question import stop_words
from rag.verify.claim import Claim, Copy
from rag.verify.compare import conflicts, said_in
from rag.verify.report import FactCheck, Verdict
from rag.verify.sources import SourceSentence, SourceView

NEAR_DUPLICATE_SHARE = 0.75  # of the claim's content words in the one source sentence
NEAR_DUPLICATE_RATIO = 0.7  # difflib's ratio of the two word sequences

_WORDS = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")  # "56.2" is one word to align


def copied(claim: Claim, views: list[SourceView]) -> Copy | None:
    """The source sentence the claim is a near duplicate of: most of its content words, or most of its
    word sequence (a swapped name takes its own words out of the first count); the closest of those."""
    words = claim.text.lower().split()
    best: tuple[float, Copy] | None = None
    for v in views:
        for s in v.sentences:
            if not claim.stems:
                break
            common = len(claim.stems & s.stems)
            share = common / len(claim.stems)
            if share < 0.5 or common < 3:
                continue
            ratio = difflib.SequenceMatcher(None, words, s.text.lower().split(), autojunk=False).ratio()
            if (share >= NEAR_DUPLICATE_SHARE or ratio >= NEAR_DUPLICATE_RATIO) and (
                best is None or ratio > best[0]
            ):
                best = (ratio, Copy(v, s, ratio))
    return None if best is None else best[1]


def found(fact: Fact, verdict: Verdict, view: SourceView, sent: SourceSentence, g: Fact) -> FactCheck:
    """The verdict on the claim's fact, with the source fact ``g`` it was compared to and its sentence."""
    return FactCheck(fact, verdict, view.n, view.text[g.start : g.end], (g.start, g.end), sent.text)


def aligned(fact: Fact, claim: Claim, copy: Copy) -> FactCheck | None:
    """Claim and copied sentence aligned word by word: the fact's words copied (supported), or replaced
    by words holding a same-kind fact with another value (contradicted); None if neither."""
    view, sent = copy.view, copy.sentence
    a, b, opcodes = _alignment(claim.text, sent.text)
    for op, i1, i2, j1, j2 in opcodes:
        if i1 == i2 or not (a[i1][1] < fact.end and fact.start < a[i2 - 1][2]):
            continue  # this block does not touch the fact
        if op == "equal":
            if a[i1][1] <= fact.start and fact.end <= a[i2 - 1][2]:
                g = said_in(fact, sent)
                if g is not None:
                    return found(fact, "supported", view, sent, g)
            continue
        if j1 == j2:
            continue
        if copy.ratio < NEAR_DUPLICATE_RATIO and (g := said_in(fact, sent)) is not None:
            # The words are reordered ("Which school is the largest: the Medical University"): the value
            # the claim puts here is said in the sentence, only elsewhere.
            return found(fact, "supported", view, sent, g)
        lo, hi = sent.start + b[j1][1], sent.start + b[j2 - 1][2]
        for g in sent.with_names() if fact.kind == "entity" else sent.facts:
            # Even if the claim's value is said elsewhere in this sentence (in the same order of words):
            # here it replaced another.
            if g.start < hi and lo < g.end and conflicts(fact, g, close=True, aligned=True):
                return found(fact, "contradicted", view, sent, g)
    return None


def substitutions(claim: Claim, copy: Copy, checks: list[FactCheck]) -> list[FactCheck]:
    """Names or figures the claim put in place of others in the sentence it copies, found by the word
    alignment alone (the entity recogniser misses many names): contradicted. A word counts when it is
    capitalised or holds a digit and the other sentence does not have it anywhere, so a reordering of
    the same words is no substitution."""
    view, sent = copy.view, copy.sentence
    a, b, opcodes = _alignment(claim.text, sent.text)
    a_low, b_low = {w.lower() for w, _, _ in a}, {w.lower() for w, _, _ in b}
    # Spans already judged: contradicted anywhere, or supported by this very sentence ("1200" for "1,200").
    taken = [
        (c.fact.start, c.fact.end)
        for c in checks
        if c.verdict == "contradicted"
        or (c.verdict == "supported" and c.source == view.n and c.source_sentence == sent.text)
    ]
    out = []
    for op, i1, i2, j1, j2 in opcodes:
        if op != "replace":
            continue
        new = [
            t
            for t in a[i1:i2]
            if _name_like(t[0])
            and t[0].lower() not in b_low
            and not any(t[1] < te and ts < t[2] for ts, te in taken)
        ]
        lost = [t for t in b[j1:j2] if _name_like(t[0]) and t[0].lower() not in a_low]
        # Like for like: a figure for a figure, a name for a name.
        if not any(_has_digit(x[0]) == _has_digit(y[0]) for x in new for y in lost):
            continue
        s, e = new[0][1], new[-1][2]
        lo, hi = sent.start + lost[0][1], sent.start + lost[-1][2]
        fact = Fact("entity", normalise(claim.text[s:e]), claim.text[s:e], s, e, "")
        out.append(FactCheck(fact, "contradicted", view.n, view.text[lo:hi], (lo, hi), sent.text))
    return out


_Word = tuple[str, int, int]  # the word, its start and end


def _words(text: str) -> list[_Word]:
    return [(m.group(), m.start(), m.end()) for m in _WORDS.finditer(text)]


@lru_cache(maxsize=256)
def _alignment(
    claim: str, sentence: str
) -> tuple[tuple[_Word, ...], tuple[_Word, ...], tuple[tuple[str, int, int, int, int], ...]]:
    """The words of both texts and difflib's edit operations from the claim's to the sentence's
    (indexes into those word lists), compared case-insensitively. Cached: every fact of a claim, then
    its substitutions, walk the same alignment."""
    a, b = tuple(_words(claim)), tuple(_words(sentence))
    sm = difflib.SequenceMatcher(
        None, [w.lower() for w, _, _ in a], [w.lower() for w, _, _ in b], autojunk=False
    )
    return a, b, tuple(sm.get_opcodes())


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _name_like(word: str) -> bool:
    return _has_digit(word) or (word[:1].isupper() and word.lower() not in stop_words())
