"""Literal gates for regular expressions: a pattern runs only on a text holding the literals it cannot match
without, which gives exactly the results of running it everywhere, several times faster on ordinary text.

``gate(pattern)`` reads the pattern's parse tree (``re._parser``) and returns sets of strings such that
every match contains a string of each set (None: nothing certain, always run). What it cannot reason about
(classes with ranges or categories, flags inside the pattern, back-references, lookarounds, characters
outside printable ASCII) ends a literal there, so the answer errs towards running the pattern.
``Gates`` checks the gates of many patterns against one text at once: one Aho-Corasick pass finds which of
all their strings occur (1,320 for the injection screen), where looking for each with ``in`` cost 0.66 ms
per SciFact document.

Case: the patterns run with ``re.IGNORECASE``, so ``fold(text)`` is what the literals are looked for in:
lower case, with the four characters the regex engine matches to an ASCII letter though ``str.lower`` does
not map them to it (tests/test_guard_prefilter.py checks every code point).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

Gate = tuple[frozenset[str], ...]  # every set must have a member in the text

_CAP = 64  # most strings an enumerated run of literals may hold
_MAX_SET = 24  # most strings one set of a gate may hold (more costs more to check than it saves)
_SETS = 3  # most sets a gate checks
_RARE = set("_<>[]{}|~`^")  # single characters rare enough in prose to be worth a look

# Matched by an ASCII letter under re.IGNORECASE, not lowered to it by str.lower.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold(text: str) -> str:
    """The text as the gates look at it."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


def passes(gate: Gate | None, folded: str) -> bool:
    """Whether the pattern behind ``gate`` may match the text folded as ``folded``."""
    if gate is None:
        return True
    holds = folded.__contains__
    return all(any(map(holds, alts)) for alts in gate)  # map: the inner loop stays in C


class Gates:
    """The gates of a list of patterns, checked together."""

    def __init__(self, gates: Sequence[Gate | None]) -> None:
        self.gates = list(gates)
        self._always = [i for i, g in enumerate(self.gates) if g is None]
        # String -> the (pattern, set) pairs it satisfies: a pattern opens once each of its sets has one.
        self._holders: dict[str, list[tuple[int, int]]] = {}
        for i, g in enumerate(self.gates):
            for j, alts in enumerate(g or ()):
                for x in alts:
                    self._holders.setdefault(x, []).append((i, j))
        self._automaton = ahocorasick.Automaton()
        for x in sorted(self._holders):
            self._automaton.add_word(x, x)
        self._automaton.make_automaton()

    def open(self, folded: str) -> list[int]:
        """The patterns (indices, in order) that may match the text folded as ``folded``: those whose gate
        ``passes``. Looked up from the strings found, so a text that holds few costs little."""
        if not folded or self._automaton.kind != ahocorasick.AHOCORASICK:
            return [i for i, g in enumerate(self.gates) if passes(g, folded)]
        hit: dict[int, set[int]] = {}
        for x in {x for _, x in self._automaton.iter(folded)}:
            for i, j in self._holders[x]:
                hit.setdefault(i, set()).add(j)
        opened = [i for i, sets in hit.items() if len(sets) == len(self.gates[i] or ())]
        return sorted(self._always + opened)


def gate(pattern: str) -> Gate | None:
    """Sets of strings every match of ``pattern`` (compiled with re.IGNORECASE) contains one of each."""
    exact, required = _sequence(sre_parse.parse(pattern, re.IGNORECASE))
    if exact is not None and "" not in exact:
        required.append(exact)
    return tuple(frozenset(s) for s in _pick(required, _SETS)) or None


def _sequence(items: Any) -> tuple[set[str] | None, list[set[str]]]:
    """``exact``: every string the sequence can match (None: unknown or too many); ``required``: sets each
    holding a string every match contains."""
    required: list[set[str]] = []
    run, whole = {""}, True  # the strings the current unbroken run of known items can match
    for op, av in items:
        exact, req = _node(op, av)
        required += req
        if exact is not None and "" not in exact:
            required.append(exact)
        if exact is not None and len(run) * len(exact) <= _CAP:
            run = {a + b for a in run for b in exact}
            continue
        whole = False
        if "" not in run:
            required.append(run)
        run = set(exact) if exact is not None else {""}
    if "" not in run:
        required.append(run)
    return (run if whole else None), required


def _node(op: Any, av: Any) -> tuple[set[str] | None, list[set[str]]]:
    if op is sre.LITERAL:
        return ({chr(av).lower()} if 0x20 <= av < 0x7F else None), []
    if op is sre.AT:  # \b, ^, $: no character
        return {""}, []
    if op is sre.IN:
        if not all(o is sre.LITERAL and 0x20 <= a < 0x7F for o, a in av):
            return None, []
        return {chr(a).lower() for _, a in av}, []
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return (None, []) if add_flags or del_flags else _sequence(sub)
    if op is sre.BRANCH:
        exacts, picks = [], []
        for alt in av[1]:
            exact, req = _sequence(alt)
            exacts.append(exact)
            picks.append(_pick(req + ([exact] if exact is not None and "" not in exact else []), 1))
        union = set().union(*exacts) if all(e is not None for e in exacts) else None
        exact = union if union is not None and len(union) <= _CAP else None
        return exact, ([set().union(*(p[0] for p in picks))] if all(picks) else [])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        lo, hi, sub = av
        exact, req = _sequence(sub)
        if lo == 0:
            return (exact | {""} if hi == 1 and exact is not None else None), []
        if exact is not None and "" not in exact:
            req.append(exact)
        return (exact if hi == 1 else None), req
    return None, []  # any character, categories, lookarounds, back-references...


def _pick(sets: list[set[str]], n: int) -> list[set[str]]:
    """The ``n`` best sets to check: few strings, long ones (cheap to look for, rare in text)."""
    usable = [s for s in sets if s and len(s) <= _MAX_SET and all(len(x) >= 3 or x in _RARE for x in s)]
    out: list[set[str]] = []
    for s in sorted(usable, key=lambda s: len(s) / min(min(map(len, s)), 8)):
        if s not in out:
            out.append(s)
    return out[:n]
