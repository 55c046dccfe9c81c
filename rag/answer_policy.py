"""Answer policy: what the user reads when the model's draft fails verification, and extractive answers.

``flag`` keeps the draft and marks its flagged sentences (verification travels with the answer);
``evidence`` answers with the extractive evidence instead, quoted and cited, and says why; ``refuse``
answers nothing and says which sentence failed against which source. ``quote`` is also the whole answer
of the ``extractive`` provider: the short answer span when the question asks for one, then the evidence
sentences, each on its own line and cited [n], the short answer leading its sentence ("3-year — “...”").
A short answer that is only a guess (not of the kind the question asks for) is not put first.
"""

from __future__ import annotations

from typing import Literal

from core.types import Hit
from rag.evidence import Evidence
from rag.prompt.context import Source
from rag.refuse import Refusal
from rag.verify import Verification

Policy = Literal["flag", "evidence", "refuse"]

# Evidence after the first is quoted only when it scores at least this share of the first's: the third
# sentence about a warranty question is often about something else (returns, an escalation).
QUOTE_SHARE = 0.7

DRAFT_FAILED = "The model's draft answer did not hold up against the sources; the documents say:"
UNVERIFIED = "The model's answer could not be verified against the documents."


def with_evidence_sources(evidence: list[Evidence], sources: list[Source], hits: list[Hit]) -> list[Source]:
    """The sources, plus one for each evidence chunk not among them (numbered after the last), so every
    quoted sentence can be cited [n] like the rest."""
    out = list(sources)
    have = {s.hit.chunk_id for s in out}
    by_chunk = {h.chunk_id: h for h in hits}
    for e in evidence:
        if e.chunk_id not in have:
            out.append(Source(n=max((s.n for s in out), default=0) + 1, hit=by_chunk[e.chunk_id], tokens=0))
            have.add(e.chunk_id)
    return out


def strong(evidence: list[Evidence]) -> list[Evidence]:
    """The evidence worth quoting: the best sentence, and the others that score close to it."""
    return [e for e in evidence if e.score >= QUOTE_SHARE * evidence[0].score] if evidence else []


def quote(evidence: list[Evidence], sources: list[Source], lead: str | None = None) -> str:
    """The evidence as an answer: an optional lead line, the short answer when there is one, and each
    strong evidence sentence quoted on its own line with its source number."""
    evidence = strong(evidence)
    number = {s.hit.chunk_id: s.n for s in sources}
    lines = [lead] if lead else []
    # The short answer leads the quote it comes from: the first span of the asked kind (a guess is not
    # put first). Both are the source's own words, which verification recognises as a quotation.
    sure = next((e for e in evidence if e.answer is not None and not e.answer.guess), None)
    for e in evidence:
        short = f"{_one_line(e.answer.text)} — " if e is sure and e.answer is not None else ""
        lines.append(f"{short}“{_one_line(e.text)}”{_under(e.header)} [{number[e.chunk_id]}]")
    return "\n".join(lines)


def refusal(verification: Verification) -> Refusal:
    """Why the draft was refused, in words: the first flagged sentence and what its source says."""
    first = verification.sentences[verification.flagged[0]]
    detail = f'"{_clip(first.text)}" is {first.verdict}'
    check = next((c for c in first.checks if c.verdict == first.verdict), None)
    if check is not None:
        detail += f" ({check.fact.text!r}: {check.describe()})"
    return Refusal("unsupported", f"the model's answer failed verification: {detail}")


def _under(header: str | None) -> str:
    """A table row is quoted with its header row, which says what its cells are."""
    return f" (columns: {_one_line(header)})" if header else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int = 160) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
