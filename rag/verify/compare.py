"""Two facts compared by value: the same thing said (``same``), or the same kind of thing with another
value (``conflicts``). Kinds must match: a duration is never the same as a bare count ("6 months" is not
"6"); a table cell only becomes a duration or an amount of money when its column header says so
(rag.verify.sources)."""

from __future__ import annotations

import re
from typing import Any

from rag.facts import Fact
from rag.verify.sources import SourceSentence

_PLACES = {"GPE", "LOC", "FAC"}


def label_group(label: str) -> str:
    """Entity labels the recogniser confuses with each other count as one."""
    return "place" if label in _PLACES else label


def same(f: Fact, g: Fact, others: list[Fact] | None = None) -> bool:
    """g says f: equal values of the same kind ("3 years" = "36 months", "1,200" = "1200"), a range
    holding f at one end, a date holding f's less precise one. ``others``: the facts of g's sentence,
    so a count with another unit is the same only where the sentence never counts f's unit."""
    kinds = {f.kind, g.kind}
    if kinds == {"number", "date"}:  # "2019" read as a count on one side, a year on the other
        n, d = (f, g) if f.kind == "number" else (g, f)
        return isinstance(n.value, int) and str(n.value) == d.value
    if f.kind != g.kind:
        return False
    if f.kind == "date":
        return date_within(str(f.value), str(g.value))
    if f.kind == "number":
        if (f.label == "ordinal") != (g.label == "ordinal"):
            return False
        if not amount_within(f.value, g.value):
            return False
        if f.label == g.label or not f.label or not g.label:
            return True
        return others is None or all(h.label != f.label for h in others if h.kind == "number")
    if f.kind in {"duration", "money"}:
        (fa, fu), (ga, gu) = f.value, g.value  # type: ignore[misc]
        return fu == gu and amount_within(fa, ga)
    if f.kind == "percent":
        return amount_within(f.value, g.value)
    return f.value == g.value


def conflicts(f: Fact, g: Fact, close: bool, aligned: bool = False) -> bool:
    """g is a fact of f's kind with another value that can be compared with it (same unit, time base,
    currency, label group). ``close``: the two sentences are near duplicates, so a count without a unit
    on one side may be compared with one that has a unit. ``aligned``: g stands where f stands in a
    sentence the claim copies, so one name in place of another is a contradiction whatever the labels
    the recogniser gave them."""
    if f.kind != g.kind or same(f, g):
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
        return not date_within(str(g.value), str(f.value)) and _dates_comparable(str(f.value), str(g.value))
    if f.kind == "entity":
        if label_group(f.label) != label_group(g.label) and not aligned:
            return False
        a, b = str(f.value), str(g.value)
        return a not in b and b not in a
    return False


def amount_within(claim: Any, source: Any) -> bool:
    """Equal, or the claim is one end of the source's range."""
    if claim == source:
        return True
    return isinstance(source, tuple) and not isinstance(claim, tuple) and claim in source


def date_within(claim: str, source: str) -> bool:
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


def _dates_comparable(a: str, b: str) -> bool:
    """Both say something about the same part of a date (a year and a month-day without year do not)."""
    return a.startswith("--") == b.startswith("--")


def said_in(fact: Fact, sent: SourceSentence) -> Fact | None:
    """The fact of the sentence that says the claim's fact, if one does (for a name or a quotation: the
    words themselves, the source's own wording reported when it tagged the same name)."""
    if fact.kind in {"entity", "quote"}:
        if f" {fact.value} " in sent.norm or (
            fact.kind == "entity" and _split_in(str(fact.value), sent.norm)
        ):
            same_name = [g for g in sent.names or () if g.kind == fact.kind and g.value == fact.value]
            if same_name:
                return same_name[0]
            words = re.sub(r"^the\s+", "", fact.text, flags=re.IGNORECASE)
            pos = sent.text.lower().find(words.lower())
            if pos >= 0:
                return Fact(fact.kind, fact.value, words, sent.start + pos, sent.start + pos + len(words))
            return Fact(fact.kind, fact.value, sent.text, sent.start, sent.end)
        return None
    return next((g for g in sent.facts if same(fact, g, sent.facts)), None)


def _split_in(value: str, norm: str) -> bool:
    """Two names the recogniser ran together ("Cleves Emmerich Rhine Bridge"), each in the sentence."""
    words = value.split()
    return any(
        f" {' '.join(words[:k])} " in norm and f" {' '.join(words[k:])} " in norm
        for k in range(1, len(words))
    )
