"""Verify: each sentence of an answer checked, fact by fact, against the text of the sources it cites.

Per fact: supported (an equal value in a source sentence about the same thing), contradicted (the
source sentences most about the same thing give another value of the same kind: "6 months" against "a
3-year warranty"), unsupported (neither). The modules, in the order a claim meets them:

- check: the Answerer's call (``verify_answer``), sentence verdicts;
- claim and sources: the two sides read into facts and content words (short source sentences with their
  context, table rows with their header);
- alignment: a claim that copies a source sentence, aligned with it word by word;
- support: where a fact is looked for (related sentences only) and which sentence decides;
- compare: when two facts say the same, or conflict;
- negation: a clause denied on one side and affirmed on the other;
- report: the result types.
"""

from rag.verify.check import check_sentence, verify, verify_answer
from rag.verify.report import FLAGGED, VERDICTS, FactCheck, SentenceCheck, Verdict, Verification

__all__ = [
    "FLAGGED",
    "VERDICTS",
    "FactCheck",
    "SentenceCheck",
    "Verdict",
    "Verification",
    "check_sentence",
    "verify",
    "verify_answer",
]
