"""Verify: each sentence of an answer checked, fact by fact, against the text of the sources it cites.

A sentence's facts (rag.facts) are compared with the facts of the sources it cites, or of every source
when it cites none. Per fact:

- supported: an equal fact is there ("3 years" for "a 3-year warranty");
- contradicted: a sentence about the same thing says otherwise: a fact of the same kind with another
  value, in a source sentence that shares the claim's content words ("6 months" against "a 3-year
  warranty" when both are about the warranty; another number elsewhere in the source is no contradiction);
- unsupported: no source says it, and none says otherwise.

When the claim copies a source sentence but for one value (a near duplicate: most of its content words
are in that one sentence), the two are aligned word by word, so a value that was swapped is caught even
when the new value appears elsewhere in the source. A clause of the claim that negates the source clause
most similar to it (or the reverse) is contradicted, unless either says it in other words ("excluded",
"only") or the denial has an exception the claim is about ("never ... unless the CFO approves").

A sentence is contradicted if any fact is; else unsupported if any fact is found in no source; else
supported if it has facts; else unverifiable (nothing checkable: a paraphrase, or "The documents do
not say."). ``verify_answer`` is the one call the Answerer makes: citations from the model's markers,
the verdicts, then matched citations only for sentences that are neither contradicted nor unsupported,
pointing at the source that supported their facts when one did.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from spacy.lang.en.stop_words import STOP_WORDS as _STOP

from ingest.embed import TextEncoder
from rag.cite import MARKER, CitationReport, cite, matched_citations
from rag.facts import NEGATION, Fact, extract, normalise
from rag.prompt.context import Source
from rag.question import content_stems
from rag.refuse import is_llm_refusal
from rag.sentences import sentence_spans

Verdict = Literal["supported", "contradicted", "unsupported", "unverifiable"]
VERDICTS: tuple[Verdict, ...] = ("supported", "contradicted", "unsupported", "unverifiable")
FLAGGED: frozenset[str] = frozenset({"contradicted", "unsupported"})

# A source sentence is "about the same thing" as a claim when it holds this share of the claim's content
# words (and at least two of them); a near duplicate holds most of them.
RELATED_SHARE = 0.34
NEAR_DUPLICATE_SHARE = 0.75
NEAR_DUPLICATE_RATIO = 0.7  # difflib's ratio of the two word sequences

# Sentences about the documents themselves ("The documents do not say.") state nothing to check.
_META = re.compile(
    r"\b(?:documents?|sources?|context|passages?|provided (?:text|information)|excerpts?)\b.*"
    r"\b(?:not|n['’]t|no|never|neither)\b"
    r"|\bnot (?:found|mentioned|specified|stated|provided|given|available|say|state|mention)\b",
    re.IGNORECASE,
)
# Words that negate without "not": a claim with "not" may paraphrase a source sentence holding one.
_SOFT_NEGATIVE = re.compile(
    r"\b(?:no|none|nor|neither|nobody|nothing|except|excluded?|excluding|unless|only|lacks?|fail(?:s|ed)?|"
    r"prohibited|forbidden|refused?|void|instead|rather|absent)\b",
    re.IGNORECASE,
)
# A single line break inside a sentence: not after a sentence end or a table cell, not before a heading,
# a list item or a table row.
_WRAPPED = re.compile(r"(?<=[^\s.!?:|])\n(?![\n\s]*(?:[|#*•>-]|\d+[.)]\s))(?=\s*\S)")
_WORDS = re.compile(
    r"\b(?:not(?!\s+only\b|\s+just\b)|never|no\s+longer|without|cannot)\b|\b\w+n['’]t\b", re.IGNORECASE
)
_WORDS = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")  # "56.2" is one word to align


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


def verify_answer(
    answer: str, sources: list[Source], encoder: TextEncoder | None
) -> tuple[CitationReport, Verification]:
    """Citations and per-sentence verdicts for an answer; matched citations (when ``encoder`` is given)
    only on sentences that are neither contradicted nor unsupported."""
    report = cite(answer, sources, None)
    verification = verify(report, sources)
    if encoder is not None and sources:
        by_index = {s.index: s for s in verification.sentences}
        allowed = [i for i in report.uncited if by_index[i].verdict not in FLAGGED]
        prefer = {i: n for i in allowed if (n := _supporting_source(by_index[i])) is not None}
        extra = matched_citations(report.sentences, allowed, sources, encoder, prefer)
        report.citations = sorted(report.citations, key=lambda c: c.n) + extra
    return report, verification


def verify(report: CitationReport, sources: list[Source]) -> Verification:
    """Verdicts for the sentences of a citation report (the answer as cited, markers included)."""
    views = {s.n: _SourceView(s) for s in sources}
    cited: dict[int, list[int]] = {}
    for c in report.citations:
        if c.origin == "model":
            for i in c.sentences:
                cited.setdefault(i, []).append(c.n)
    out = []
    for i, sentence in enumerate(report.sentences):
        against = sorted(cited.get(i, [])) or sorted(views)
        out.append(check_sentence(i, sentence, [views[n] for n in against if n in views]))
    return Verification(out)


def check_sentence(index: int, sentence: str, views: list[_SourceView]) -> SentenceCheck:
    against = [v.n for v in views]
    # Markers blanked with spaces: offsets stay those of the sentence, "[2]" is no number.
    text = MARKER.sub(lambda m: " " * len(m.group()), sentence)
    if not views or is_llm_refusal(text) or _META.search(text):
        return SentenceCheck(index, sentence, "unverifiable", [], against)
    facts = extract(text)
    claim = _Claim(text, facts)
    claim.copy_of = _copied(claim, views)
    checks = [_check_fact(f, claim, views) for f in facts if f.kind != "negation"]
    if claim.copy_of is not None:
        checks += _substitutions(claim, *claim.copy_of, checks)
    negation = _check_negation(claim, views)
    if negation is not None:
        checks.append(negation)
    verdicts = {c.verdict for c in checks}
    if "contradicted" in verdicts:
        verdict: Verdict = "contradicted"
    elif "unsupported" in verdicts:
        verdict = "unsupported"
    elif "supported" in verdicts:
        verdict = "supported"
    else:
        verdict = "unverifiable"
    return SentenceCheck(index, sentence, verdict, checks, against)


# -- the two sides ---------------------------------------------------------------------------------------


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    norm: str  # normalise(text), padded with spaces for whole-word lookups
    stems: set[str]
    facts: list[Fact]
    clauses: list[tuple[int, int, set[str]]]  # offsets in the source text, content stems
    names: list[Fact] | None = None  # named entities, offsets in the source text: see _names


def _names(sent: _Sentence) -> list[Fact]:
    """The sentence's facts with its named entities, recognised on first need (kept with the sentence,
    which is cached with its chunk's text)."""
    if sent.names is None:
        found = [f for f in extract(sent.text) if f.kind == "entity"]
        sent.names = [
            Fact(f.kind, f.value, f.text, f.start + sent.start, f.end + sent.start, f.label) for f in found
        ]
    return sent.facts + sent.names


class _SourceView:
    """A source's text split into sentences, each with its facts and content stems."""

    def __init__(self, source: Source) -> None:
        self.n = source.n
        self.text = source.hit.text
        self.norm, self.sentences = _read_source(self.text)


@lru_cache(maxsize=1024)
def _read_source(text: str) -> tuple[str, tuple[_Sentence, ...]]:
    # Chunks come back answer after answer: each is read once. Names are recognised later, and only in
    # the sentences a claim's name needs them (_names): the recogniser is most of the cost.
    facts = extract(text, names=False)
    sentences = []
    # Wrapped lines ("is never\nreimbursed") rejoined, same length so offsets hold.
    for s, e in sentence_spans(_WRAPPED.sub(" ", text)):
        inside = [f for f in facts if s <= f.start < e]
        piece = text[s:e]
        sentences.append(
            _Sentence(
                s,
                e,
                piece,
                f" {normalise(piece)} ",
                content_stems(piece),
                [f for f in inside if f.kind != "negation"],
                [(s + cs, s + ce, content_stems(piece[cs:ce])) for cs, ce in _clauses(piece)],
            )
        )
    return f" {normalise(text)} ", tuple(sentences)


class _Claim:
    def __init__(self, text: str, facts: list[Fact]) -> None:
        self.text = text
        self.facts = facts
        # Content words without the values: two sentences about the same thing share these.
        blanked = text
        for f in facts:
            if f.kind in {"number", "duration", "money", "percent", "date"}:
                blanked = blanked[: f.start] + " " * (f.end - f.start) + blanked[f.end :]
        self.blanked = blanked
        self.stems = content_stems(blanked)
        self.copy_of: tuple[_SourceView, _Sentence] | None = None

    def context(self, fact: Fact) -> set[str]:
        return self.stems - content_stems(fact.text) if fact.kind in {"entity", "quote"} else self.stems


def _share(stems: set[str], sentence: _Sentence) -> tuple[float, int]:
    if not stems:
        return 0.0, 0
    common = len(stems & sentence.stems)
    return common / len(stems), common


# -- one fact --------------------------------------------------------------------------------------------


def _copied(claim: _Claim, views: list[_SourceView]) -> tuple[_SourceView, _Sentence] | None:
    """The source sentence the claim is a near duplicate of: most of its content words, or most of its
    word sequence (a swapped name takes its own words out of the first count); the closest of those."""
    words = claim.text.lower().split()
    best: tuple[float, _SourceView, _Sentence] | None = None
    for v in views:
        for s in v.sentences:
            share, common = _share(claim.stems, s)
            if share < 0.5 or common < 3:
                continue
            ratio = difflib.SequenceMatcher(None, words, s.text.lower().split(), autojunk=False).ratio()
            if (share >= NEAR_DUPLICATE_SHARE or ratio >= NEAR_DUPLICATE_RATIO) and (
                best is None or ratio > best[0]
            ):
                best = (ratio, v, s)
    return None if best is None else (best[1], best[2])


def _check_fact(fact: Fact, claim: _Claim, views: list[_SourceView]) -> FactCheck:
    ctx = claim.context(fact)
    ranked = sorted(
        ((_share(ctx, s), v, s) for v in views for s in v.sentences),
        key=lambda x: x[0],
        reverse=True,
    )
    # 1. The source sentence the claim copies, if any: align the two word by word.
    if claim.copy_of is not None:
        got = _aligned(fact, claim, *claim.copy_of)
        if got is not None:
            return got
    # 2. The same value anywhere in the sources compared, the most related sentences first.
    for _, view, sent in ranked:
        g = _equal_in(fact, sent)
        if g is not None:
            return _result(fact, "supported", view, sent, g)
    # A bare figure in a sentence about the same thing: a table row "| Paris | 210 |" under "(EUR)".
    if fact.kind in {"money", "percent", "duration"}:
        amount = fact.value if fact.kind == "percent" else fact.value[0]  # type: ignore[index]
        for (share, _), view, sent in ranked:
            if share <= 0:
                break
            g = next(
                (g for g in sent.facts if g.kind == "number" and not g.label and g.value == amount), None
            )
            if g is not None:
                return _result(fact, "supported", view, sent, g)
    if fact.kind in {"entity", "quote"}:
        for view in views:
            pos = view.text.lower().find(fact.text.lower())
            if f" {fact.value} " in view.norm:
                span = (pos, pos + len(fact.text)) if pos >= 0 else None
                return FactCheck(fact, "supported", view.n, fact.text if span else None, span)
    # 3. Another value of the same kind in a sentence about the same thing.
    for (share, common), view, sent in ranked:
        if share < RELATED_SHARE or common < 2:
            break
        facts = _names(sent) if fact.kind == "entity" else sent.facts
        g = next((g for g in facts if _conflicts(fact, g, close=share >= NEAR_DUPLICATE_SHARE)), None)
        if g is not None:
            return _result(fact, "contradicted", view, sent, g)
    return FactCheck(fact, "unsupported")


def _result(fact: Fact, verdict: Verdict, view: _SourceView, sent: _Sentence, g: Fact) -> FactCheck:
    return FactCheck(fact, verdict, view.n, view.text[g.start : g.end], (g.start, g.end), sent.text)


def _equal_in(fact: Fact, sent: _Sentence) -> Fact | None:
    if fact.kind in {"entity", "quote"}:
        if f" {fact.value} " in sent.norm or (
            fact.kind == "entity" and _split_in(str(fact.value), sent.norm)
        ):
            # Report the source's own wording when it tagged the same name, else the claim's span.
            same = [g for g in sent.names or () if g.kind == fact.kind and g.value == fact.value]
            if same:
                return same[0]
            pos = sent.text.lower().find(fact.text.lower())
            if pos >= 0:
                return Fact(
                    fact.kind, fact.value, fact.text, sent.start + pos, sent.start + pos + len(fact.text)
                )
            return Fact(fact.kind, fact.value, sent.text, sent.start, sent.end)
        return None
    for g in sent.facts:
        if _same(fact, g, sent):
            return g
    return None


def _split_in(value: str, norm: str) -> bool:
    """Two names the recogniser ran together ("Cleves Emmerich Rhine Bridge"), each in the sentence."""
    words = value.split()
    return any(
        f" {' '.join(words[:k])} " in norm and f" {' '.join(words[k:])} " in norm
        for k in range(1, len(words))
    )


def _aligned(fact: Fact, claim: _Claim, view: _SourceView, sent: _Sentence) -> FactCheck | None:
    """Claim and source sentence aligned word by word: the fact's words copied (supported), or
    replaced by words holding a same-kind fact with another value (contradicted); None if neither."""
    a = [(m.group().lower(), m.start(), m.end()) for m in _WORDS.finditer(claim.text)]
    b = [(m.group().lower(), m.start(), m.end()) for m in _WORDS.finditer(sent.text)]
    sm = difflib.SequenceMatcher(None, [w for w, _, _ in a], [w for w, _, _ in b], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if i1 == i2 or not (a[i1][1] < fact.end and fact.start < a[i2 - 1][2]):
            continue  # this block does not touch the fact
        if op == "equal":
            if a[i1][1] <= fact.start and fact.end <= a[i2 - 1][2]:
                g = _equal_in(fact, sent)
                if g is not None:
                    return _result(fact, "supported", view, sent, g)
            continue
        if j1 == j2:
            continue
        lo, hi = sent.start + b[j1][1], sent.start + b[j2 - 1][2]
        for g in _names(sent) if fact.kind == "entity" else sent.facts:
            # Even if the claim's value is said elsewhere in this sentence: here it replaced another.
            if g.start < hi and lo < g.end and _conflicts(fact, g, close=True, aligned=True):
                return _result(fact, "contradicted", view, sent, g)
    return None


def _substitutions(
    claim: _Claim, view: _SourceView, sent: _Sentence, checks: list[FactCheck]
) -> list[FactCheck]:
    """Names or figures the claim put in place of others in the sentence it copies, found by the word
    alignment alone (the entity recogniser misses many names): contradicted. A word counts when it is
    capitalised or holds a digit and the other sentence does not have it anywhere, so a reordering of
    the same words is no substitution."""
    a = [(m.group(), m.start(), m.end()) for m in _WORDS.finditer(claim.text)]
    b = [(m.group(), m.start(), m.end()) for m in _WORDS.finditer(sent.text)]
    a_low, b_low = {w.lower() for w, _, _ in a}, {w.lower() for w, _, _ in b}
    sm = difflib.SequenceMatcher(
        None, [w.lower() for w, _, _ in a], [w.lower() for w, _, _ in b], autojunk=False
    )
    # Spans already judged: contradicted anywhere, or supported by this very sentence ("1200" for "1,200").
    taken = [
        (c.fact.start, c.fact.end)
        for c in checks
        if c.verdict == "contradicted"
        or (c.verdict == "supported" and c.source == view.n and c.source_sentence == sent.text)
    ]
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
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


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _name_like(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or (word[:1].isupper() and word.lower() not in _STOP)


_PLACES = {"GPE", "LOC", "FAC"}


def _group(label: str) -> str:
    return "place" if label in _PLACES else label


def _same(f: Fact, g: Fact, sent: _Sentence | None = None) -> bool:
    kinds = {f.kind, g.kind}
    if kinds == {"number", "date"}:  # "2019" read as a count on one side, a year on the other
        n, d = (f, g) if f.kind == "number" else (g, f)
        return isinstance(n.value, int) and str(n.value) == d.value
    if f.kind != g.kind:
        return False
    if f.kind == "date":
        return _date_within(str(f.value), str(g.value))
    if f.kind == "number":
        if (f.label == "ordinal") != (g.label == "ordinal"):
            return False
        if not _amount_within(f.value, g.value):
            return False
        if f.label == g.label or not f.label or not g.label:
            return True
        # Another unit: the same count of something else, unless the source never counts the claim's unit.
        return sent is None or all(h.label != f.label for h in sent.facts if h.kind == "number")
    if f.kind in {"duration", "money"}:
        (fa, fu), (ga, gu) = f.value, g.value  # type: ignore[misc]
        return fu == gu and _amount_within(fa, ga)
    if f.kind == "percent":
        return _amount_within(f.value, g.value)
    return f.value == g.value


def _amount_within(claim: Any, source: Any) -> bool:
    """Equal, or the claim is one end of the source's range."""
    if claim == source:
        return True
    return isinstance(source, tuple) and not isinstance(claim, tuple) and claim in source


def _date_within(claim: str, source: str) -> bool:
    """The source's date says the claim's: equal, or the claim is less precise ("2019" in 2019-03-12)."""
    if claim == source or source.startswith(claim + "-"):
        return True
    if claim.startswith("--"):
        return source.endswith(claim[1:])
    if claim.endswith("0s") and source[:3] == claim[:3] and source[:4].isdigit():
        return True
    if claim.startswith("C") and source[:4].isdigit():
        return int(source[:4]) // 100 + 1 == int(claim[1:])
    return False


def _conflicts(f: Fact, g: Fact, close: bool, aligned: bool = False) -> bool:
    """g is a fact of f's kind with another value that can be compared with it (same unit, base,
    currency, label group). ``close``: the two sentences are near duplicates, so a count without a unit
    on one side may be compared with one that has a unit. ``aligned``: g stands where f stands in a
    sentence the claim copies, so one name in place of another is a contradiction whatever the labels
    the recogniser gave them."""
    if f.kind != g.kind or _same(f, g):
        return False
    if f.kind == "number":
        if (f.label == "ordinal") != (g.label == "ordinal"):
            return False
        return f.label == g.label or (close and (not f.label or not g.label))
    if f.kind in {"duration", "money"}:
        return f.value[1] == g.value[1]  # type: ignore[index]
    if f.kind == "percent":
        return True
    if f.kind == "date":
        return not _date_within(str(g.value), str(f.value)) and _dates_comparable(str(f.value), str(g.value))
    if f.kind == "entity":
        if _group(f.label) != _group(g.label) and not aligned:
            return False
        a, b = str(f.value), str(g.value)
        return a not in b and b not in a
    return False


def _dates_comparable(a: str, b: str) -> bool:
    """Both say something about the same part of a date (a year and a month-day without year do not)."""
    return a.startswith("--") == b.startswith("--")


def _check_negation(claim: _Claim, views: list[_SourceView]) -> FactCheck | None:
    """Contradicted when a clause of the claim and the source clause most similar to it state the same
    thing with opposite polarity. Clauses, not sentences: in "up to 5 days carry over; days not taken
    are lost" the "not" says nothing about carrying over."""
    if claim.copy_of is not None:
        # The claim copies one source sentence: its clauses are the ones to compare with.
        view, sent = claim.copy_of
        source_clauses = [(view, sent, cs, ce, stems) for cs, ce, stems in sent.clauses]
    else:
        source_clauses = [
            (v, s, cs, ce, stems)
            for v in views
            for s in v.sentences
            if claim.stems & s.stems
            for cs, ce, stems in s.clauses
        ]
    for qs, qe in _clauses(claim.text):
        text = claim.text[qs:qe]
        stems = content_stems(claim.blanked[qs:qe])
        if len(stems) < 3 or not source_clauses:
            continue
        view, sent, cs, ce, cstems = max(source_clauses, key=lambda c: len(stems & c[4]))
        common = len(stems & cstems)
        # Most of the claim's clause, and not a small part of a long source clause.
        if common < 3 or common / len(stems) < 0.6 or common / len(cstems) < 0.4:
            continue
        got = _opposed(claim, text, qs, view.text[cs:ce], view, sent, cs, ce)
        if got is not None:
            return got
    return None


def _opposed(
    claim: _Claim, text: str, qs: int, clause: str, view: _SourceView, sent: _Sentence, cs: int, ce: int
) -> FactCheck | None:
    """A contradiction when one of the claim's text and the source clause is negated and the other not."""
    mine, theirs = NEGATION.search(text), NEGATION.search(clause)
    if bool(mine) == bool(theirs):
        return None
    if (mine and _SOFT_NEGATIVE.search(clause)) or (theirs and _SOFT_NEGATIVE.search(text)):
        return None  # "does not cover misuse" against "misuse is excluded": the same, said otherwise
    negated_side, other = (text, clause) if mine else (clause, text)
    exception = _EXCEPTION.search(negated_side)
    if exception and content_stems(negated_side[exception.end() :]) & content_stems(other):
        return None  # "never reimbursed unless the CFO approves" against "the CFO must approve it"
    if mine:
        fact = Fact("negation", "not", mine.group(), qs + mine.start(), qs + mine.end())
    else:
        fact = Fact("negation", "affirmed", text.strip(), qs, qs + len(text.rstrip()))
    span = (cs + theirs.start(), cs + theirs.end()) if theirs else (cs, ce)
    return FactCheck(fact, "contradicted", view.n, view.text[span[0] : span[1]], span, sent.text)


_EXCEPTION = re.compile(r"\b(?:unless|except|only if|other than)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:,()]\s*|\s+(?:but|whereas|although|though|instead)\s+", re.IGNORECASE)


def _clauses(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(s, e) for s, e in out if e > s]


def _supporting_source(check: SentenceCheck) -> int | None:
    ns = [c.source for c in check.checks if c.verdict == "supported" and c.source is not None]
    return Counter(ns).most_common(1)[0][0] if ns else None
