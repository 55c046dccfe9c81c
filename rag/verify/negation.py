"""Negation: a clause of the claim that denies what the most similar source clause affirms, or the
reverse, is contradicted. Clauses, not sentences: in "up to 5 days carry over; days not taken are lost"
the "not" says nothing about carrying over. No contradiction when either side says it in other words
("does not cover misuse" against "misuse is excluded") or when the denial has an exception the claim is
about ("never reimbursed unless the CFO approves" against "the CFO must approve it")."""

from __future__ import annotations

import re

from rag.facts import NEGATION, Fact
from rag.question import content_stems
from rag.verify.claim import Claim
from rag.verify.report import FactCheck
from rag.verify.sources import SourceSentence, SourceView, clauses

# Words that negate without "not": a claim with "not" may paraphrase a source sentence holding one.
_SOFT_NEGATIVE = re.compile(
    r"\b(?:no|none|nor|neither|nobody|nothing|except|excluded?|excluding|unless|only|lacks?|fail(?:s|ed)?|"
    r"prohibited|forbidden|refused?|void|instead|rather|absent)\b",
    re.IGNORECASE,
)
_EXCEPTION = re.compile(r"\b(?:unless|except|only if|other than)\b", re.IGNORECASE)

_Clause = tuple[SourceView, SourceSentence, int, int, set[str]]


def check_negation(claim: Claim, views: list[SourceView]) -> FactCheck | None:
    """Contradicted when a clause of the claim and the source clause most similar to it state the same
    thing with opposite polarity; None when no clause is."""
    if claim.copy_of is not None:
        # The claim copies one source sentence: its clauses are the ones to compare with.
        view, sent = claim.copy_of.view, claim.copy_of.sentence
        source_clauses: list[_Clause] = [(view, sent, cs, ce, stems) for cs, ce, stems in sent.clauses]
    else:
        source_clauses = [
            (v, s, cs, ce, stems)
            for v in views
            for s in v.sentences
            if claim.stems & s.stems
            for cs, ce, stems in s.clauses
        ]
    for qs, qe in clauses(claim.text):
        stems = content_stems(claim.blanked[qs:qe])
        if len(stems) < 3 or not source_clauses:
            continue
        view, sent, cs, ce, cstems = max(source_clauses, key=lambda c: len(stems & c[4]))
        common = len(stems & cstems)
        # Most of the claim's clause, and not a small part of a long source clause.
        if common < 3 or common / len(stems) < 0.6 or common / len(cstems) < 0.4:
            continue
        got = _opposed(claim.text[qs:qe], qs, view, sent, cs, ce)
        if got is not None:
            return got
    return None


def _opposed(
    text: str, qs: int, view: SourceView, sent: SourceSentence, cs: int, ce: int
) -> FactCheck | None:
    """A contradiction when one of the claim's clause and the source clause is negated and the other not."""
    clause = view.text[cs:ce]
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
