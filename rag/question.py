"""Question: what kind of answer a question asks for, and the words it turns on.

``answer_kind`` reads the question's wh-phrase ("how many", "when", "who", "what year" ...) and names the
kind of fact a good answer holds: the evidence selector looks for a span of that kind, and the
answerability model checks that the best evidence holds one. ``content_stems`` gives the stemmed
content words of a text (stopwords and question words left out), so a question's key terms can be
compared with a sentence's whatever their inflection. Rules, not a model: a question's type is in a
handful of words, and rules say exactly why a question was typed as it was.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import snowballstemmer

AnswerKind = Literal[
    "duration", "date", "money", "percent", "number", "person", "place", "organisation", "other"
]

_UNITS_OF_TIME = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century)"
# First match wins: the more specific phrasing comes before the more general one.
_RULES: list[tuple[AnswerKind, re.Pattern[str]]] = [
    (
        "percent",
        re.compile(
            r"\b(?:what|which) (?:percent|percentage|proportion|share|fraction)\b|\bhow many percent\b"
        ),
    ),
    (
        "money",
        re.compile(
            r"\bhow much (?:money|did|does|do|is|was|will|would|are|were)\b.*\b(?:cost|costs|pay|paid|spend|"
            r"spent|worth|charge|charged|price|fee|earn|earned|raise|raised|sell|sold|budget|salary)\b"
            r"|\bhow much (?:money|cash|funding)\b|\bwhat (?:is|was) the (?:price|cost|fee|budget|salary)\b"
            r"|\bhow much (?:does|did|do|will|would) (?:it|they|this|that)? ?cost\b"
        ),
    ),
    (
        "duration",
        re.compile(
            rf"\bhow long\b|\bhow old\b|\bfor how (?:many|much) (?:time|{_UNITS_OF_TIME})\b"
            rf"|\bhow many {_UNITS_OF_TIME}\b|\bwhat (?:is|was) the (?:duration|length|period|term)\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"^when\b|\bwhen (?:did|does|do|was|were|is|will|had|has|have)\b"
            r"|\b(?:what|which|in what|in which) (?:year|date|day|month|century|decade|time period|era)\b"
            r"|\bsince when\b"
        ),
    ),
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|far|tall|high|big|large|deep|heavy|wide|long is the distance|fast|often)\b"
            r"|\bwhat (?:is|was) the (?:number|population|amount|size|height|weight|speed|area|total)\b"
            r"|\bwhat number\b"
        ),
    ),
    (
        "person",
        re.compile(
            r"^(?:who|whom|whose)\b|\b(?:who|whom|whose) (?:is|was|were|did|does|had|has|wrote|founded|"
            r"invented|discovered|led|won|created|designed|built|signed|became)\b"
            r"|\b(?:what|which) (?:person|people|man|woman|king|queen|president|author|scientist|"
            r"leader|emperor|general|player|artist|composer|philosopher|writer|poet|actor|singer)\b"
        ),
    ),
    (
        "place",
        re.compile(
            r"^where\b|\bwhere (?:is|was|were|did|does|do|are|can|will)\b"
            r"|\b(?:what|which|in what|in which) (?:country|city|state|continent|region|place|location|"
            r"town|province|county|island|river|mountain|area|nation|territory|capital)\b"
        ),
    ),
    (
        "organisation",
        re.compile(
            r"\b(?:what|which) (?:company|companies|organi[sz]ation|team|university|college|school|band|"
            r"party|agency|firm|corporation|institution|club|newspaper|network|group|church)\b"
        ),
    ),
]

_QUESTION_WORDS = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much"}
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def answer_kind(question: str) -> AnswerKind:
    """The kind of fact the question asks for ("other" when its wording does not say)."""
    q = " ".join(question.lower().split())
    for kind, pattern in _RULES:
        if pattern.search(q):
            return kind
    return "other"


def content_stems(text: str) -> set[str]:
    """Stemmed words of the text that carry meaning: no stopwords, question words or single letters."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1 or w.isdigit()]
    stop = stop_words()
    return {
        _stem(w) for w in words if w not in stop and w not in _QUESTION_WORDS and w.split("'")[0] not in stop
    }


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read on first use: importing spaCy takes seconds, which every command
    importing the answer path (``rag --help`` included) would otherwise pay at start-up."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")
