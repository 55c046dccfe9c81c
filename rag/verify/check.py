"""Verification of an answer, sentence by sentence, and the one call the Answerer makes.

Each sentence's facts (rag.facts) are checked against the sources it cites, or every source when it
cites none (rag.verify.support: support is local to the source sentences related to the claim; a claim
that copies a source sentence is aligned with it word by word, rag.verify.alignment); its clauses against
the source clauses most like them for negation (rag.verify.negation). A sentence is contradicted if any
fact is; else unsupported if any fact is found in no related source sentence; else supported if it has
facts; else unverifiable (nothing checkable: a paraphrase, or "The documents do not say.").
"""

from __future__ import annotations

import re

from core.encode.dense import TextEncoder
from rag.cite import MARKER, CitationReport, cite, matched_citations
from rag.facts import Fact, extract, normalise
from rag.prompt.context import Source
from rag.refuse import is_llm_refusal
from rag.verify.alignment import copied, substitutions
from rag.verify.claim import Claim
from rag.verify.negation import check_negation
from rag.verify.report import FLAGGED, FactCheck, SentenceCheck, Verification, sentence_verdict
from rag.verify.sources import SourceView
from rag.verify.support import check_fact

# Sentences about the documents themselves ("The documents do not say.") state nothing to check.
_META = re.compile(
    r"\b(?:documents?|sources?|context|passages?|provided (?:text|information)|excerpts?)\b.*"
    r"\b(?:not|n['’]t|no|never|neither)\b"
    r"|\bnot (?:found|mentioned|specified|stated|provided|given|available|say|state|mention)\b",
    re.IGNORECASE,
)

# Invisible characters a model (or a prompt injection) may put inside a figure: "2\u200b7 days" reads
# "27 days" but extracts as "2" and "7 days"; bidirectional overrides can make text display otherwise
# than it reads. Removed from the answer before anything else, so the user reads what was verified.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)
# Zero-width (non-)joiners shape Persian words and emoji: removed only inside ASCII runs, where they hide
# a key or an address from the detectors ("AKIA\u200d...").
_JOINER_IN_ASCII = re.compile(r"(?<=[!-~])[\u200c\u200d]+(?=[!-~])")


def strip_invisible(text: str) -> str:
    """``text`` as verified, streamed and stored: without the invisible characters above."""
    return _JOINER_IN_ASCII.sub("", _INVISIBLE.sub("", text))


# A quotation: "“Every Porter robot carries a 3-year warranty.”", optionally led by its short answer
# ("3-year — “...”") and followed by the columns of a quoted table row, as rag.answer_policy writes them.
_QUOTATION = re.compile(
    r"^\s*(?:(?P<short>[^“”\n]{1,200}?) — )?“(?P<quote>[^“”]+)”(?: \(columns: [^\n]*\))?\s*$"
)
# Shorter verbatim matches prove little ("3 years" is in many texts): they are checked fact by fact.
VERBATIM_MIN_CHARS = 12

# The longest answer sentence checked: far beyond any a reader would take in (a long list runs ~600).
MAX_CLAIM_CHARS = 3000
# The most sentences checked (~4 ms each with matched citations): 4,096 tokens of answer hold ~250. An
# endpoint that ignores max_tokens may send megabytes; the sentences past this are flagged unchecked.
MAX_CLAIMS = 300


def verify_answer(
    answer: str, sources: list[Source], encoder: TextEncoder | None
) -> tuple[CitationReport, Verification]:
    """Citations and per-sentence verdicts for an answer; matched citations (when ``encoder`` is given)
    only on sentences that are neither contradicted nor unsupported, pointing at the source that
    supported their facts when one did."""
    report = cite(strip_invisible(answer), sources, None)
    verification = verify(report, sources)
    if encoder is not None and sources:
        by_index = {s.index: s for s in verification.sentences}
        allowed = [i for i in report.uncited if by_index[i].verdict not in FLAGGED]
        prefer = {i: n for i in allowed if (n := by_index[i].supporting_source()) is not None}
        extra = matched_citations(report.sentences, allowed, sources, encoder, prefer)
        report.citations = sorted(report.citations, key=lambda c: c.n) + extra
    return report, verification


def verify(report: CitationReport, sources: list[Source]) -> Verification:
    """Verdicts for the sentences of a citation report (the answer as cited, markers included)."""
    views = {s.n: SourceView(s) for s in sources}
    cited: dict[int, list[int]] = {}
    for c in report.citations:
        if c.origin == "model":
            for i in c.sentences:
                cited.setdefault(i, []).append(c.n)
    out = []
    for i, sentence in enumerate(report.sentences):
        against = sorted(cited.get(i, [])) or sorted(views)
        if i >= MAX_CLAIMS:
            out.append(SentenceCheck(i, sentence, "unsupported", [], against))
            continue
        out.append(check_sentence(i, sentence, [views[n] for n in against if n in views]))
    return Verification(out)


def check_sentence(index: int, sentence: str, views: list[SourceView]) -> SentenceCheck:
    against = [v.n for v in views]
    # Markers blanked with spaces: offsets stay those of the sentence, "[2]" is no number.
    text = MARKER.sub(lambda m: " " * len(m.group()), sentence)
    if not views or is_llm_refusal(text) or _META.search(text):
        return SentenceCheck(index, sentence, "unverifiable", [], against)
    if len(text) > MAX_CLAIM_CHARS:
        # Too long to check fact by fact in bounded time, and no answer sentence needs to be: flagged,
        # so that a rambling or hostile draft cannot hide a false figure in one endless sentence.
        return SentenceCheck(index, sentence, "unsupported", [], against)
    verbatim = _verbatim(text, views)
    if verbatim is not None:
        return SentenceCheck(index, sentence, "supported", verbatim, against)
    facts = extract(text)
    claim = Claim(text, facts)
    claim.copy_of = copied(claim, views)
    checks = [check_fact(f, claim, views) for f in facts if f.kind != "negation"]
    if claim.copy_of is not None:
        checks += substitutions(claim, claim.copy_of, checks)
    negation = check_negation(claim, views)
    if negation is not None:
        checks.append(negation)
    return SentenceCheck(index, sentence, sentence_verdict(checks), checks, against)


def _verbatim(text: str, views: list[SourceView]) -> list[FactCheck] | None:
    """Checks that support every fact of a sentence that quotes a source word for word (whitespace aside),
    each pointing at its place in the source; None when the sentence is no such quotation. A quote needs
    no fact-by-fact reading, which would take a copied table row's bare "48500" for something other than
    the "48500" under "list_price_eur" it is."""
    m = _QUOTATION.match(text)
    start, core = (m.start("quote"), m.group("quote")) if m else (0, text)
    lead = len(core) - len(core.lstrip())
    start, core = start + lead, core.strip()
    if m is None:
        core = core.rstrip(".")
    short = m.group("short") if m else None
    if len(core) < VERBATIM_MIN_CHARS or (short and short.strip() not in core):
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in core.split()))
    for view in views:
        found = pattern.search(view.text)
        if found is None:
            continue
        quote = Fact("quote", normalise(core), core, start, start + len(core))
        checks = [FactCheck(quote, "supported", view.n, found.group(), found.span())]
        for f in extract(core):
            if f.kind == "negation":
                continue
            at = view.text.find(f.text, found.start(), found.end())
            span = (at, at + len(f.text)) if at >= 0 else found.span()
            moved = Fact(f.kind, f.value, f.text, f.start + start, f.end + start, f.label)
            checks.append(FactCheck(moved, "supported", view.n, view.text[span[0] : span[1]], span))
        return checks
    return None
