"""Facts: the checkable statements in a text (numbers, durations, money, percentages, dates, names,
quotations, negation), each with a canonical value, so that two texts saying the same thing in other
words compare equal.

Quantities and dates are found by rules over tokens (exact, fast, and each decision explainable);
names by the packaged spaCy model's entity recogniser (``en_core_web_sm``, tagger and parser left out:
~5 ms a sentence). Canonical values:

- number: the amount (``1000`` for "1,000", "1000", "one thousand"; ``(3, 5)`` for a range), the unit
  noun, singular, in ``label`` ("robots" -> "robot"; "" when none follows).
- duration: ``(amount, base)``. Years, months, decades and centuries are counted in months, weeks and
  days in days, hours, minutes and seconds in seconds: "3-year" = "3 years" = "three years" = "36
  months" (exact conversions), while "30 days" and "1 month" stay different bases (a month is not a
  fixed number of days) and are never compared.
- money: ``(amount, currency)`` with the ISO code ("$1,200" = "1,200 dollars" = "USD 1200").
- percent: the amount ("12%" = "12 percent" = "twelve per cent").
- date: ISO-like text, as precise as written: "2019-03-12", "2019-03", "2019", "--03-12" (no year),
  "1990s", "C19" (the 19th century).
- entity: lowercase, without a leading "the", a possessive 's or punctuation; spaCy's label in
  ``label``.
- quote: the quoted words, lowercase. negation: ``"not"`` (what it negates is the sentence's business).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rag.question import stop_words

if TYPE_CHECKING:
    from rag.question import AnswerKind

FactKind = Literal["number", "duration", "money", "percent", "date", "entity", "quote", "negation"]
NUMERIC_KINDS = frozenset({"number", "duration", "money", "percent", "date"})
ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


@dataclass(frozen=True, slots=True)
class Fact:
    kind: FactKind
    value: Hashable  # canonical: equal for equivalent wordings (module docstring)
    text: str  # as written
    start: int  # offsets in the text given to extract()
    end: int
    label: str = ""  # entity: spaCy's label; number: its unit noun

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "kind": self.kind,
            "value": list(value) if isinstance(value, tuple) else value,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }


# -- words ---------------------------------------------------------------------------------------------

_SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUMBER_WORDS = _SMALL | _TENS | _SCALES
_LARGEST = 10**300
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), start=1
    )
}

# Duration units -> (base, factor): exact conversions only (module docstring).
_DURATION = {
    "year": ("month", 12),
    "yr": ("month", 12),
    "month": ("month", 1),
    "decade": ("month", 120),
    "century": ("month", 1200),
    "centurie": ("month", 1200),
    "week": ("day", 7),
    "day": ("day", 1),
    "hour": ("second", 3600),
    "hr": ("second", 3600),
    "minute": ("second", 60),
    "min": ("second", 60),
    "second": ("second", 1),
    "sec": ("second", 1),
}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_CODES = {"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "SEK", "NOK", "DKK"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "euro": "EUR",
    "pound": "GBP",
    "yen": "JPY",
    "franc": "CHF",
    "cent": "cent",
}
_PERCENT_WORDS = {"percent", "percentage", "pct"}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
} | {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
     "nov": 11, "dec": 12}  # fmt: skip
# A 4-digit number after these words is a year ("in 1879", "since 2019").
_YEAR_CUES = {
    "in", "since", "from", "until", "till", "by", "of", "during", "before", "after", "circa", "c",
    "year", "years", "around", "between", "early", "late", "mid", "summer", "winter",
    "spring", "autumn", "fall", "season", "through", "as", "at", "on", "fiscal", "fy",
}  # fmt: skip


@lru_cache(maxsize=1)
def _not_units() -> frozenset[str]:
    """Words after a number that are not its unit (built on first use: the stop words import spaCy)."""
    return stop_words() | set(_MONTHS) | {"and", "or", "to", "of", "per", "each", "times", "x"}


# -- tokens --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)?|\d{1,2}:\d{2}(?::\d{2})?\b|\d+(?:[.,]\d+)*[A-Za-z]*|\S"
)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_ORDINAL_DIGITS = re.compile(r"(\d+)(?:st|nd|rd|th)")
_DECADE = re.compile(r"(1\d|20)(\d)0['’]?s")
_ISO_DATE = re.compile(r"\b(1\d{3}|20\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
_QUOTE = re.compile(r"\"([^\"\n]{2,200})\"|“([^”\n]{2,200})”")
NEGATION = re.compile(  # the negation words (rag.verify.negation reads clauses with them too)
    r"\b(?:not(?!\s+only\b|\s+just\b|\s+merely\b)|never|no\s+longer|without|cannot)\b"
    r"|\b\w+n['’]t\b",
    re.IGNORECASE,
)
_RANGE_JOIN = {"-", "–", "—", "to"}


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _num(x: float) -> int | float:
    if not math.isfinite(x):
        return x  # "1e300 years" in months: no integer to give
    x = round(x, 6)
    return int(x) if x == int(x) else x


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _words_value(words: list[str]) -> float:
    total, current = 0, 0
    for w in words:
        if w in _SMALL:
            current += _SMALL[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _SCALES[w]
            current = 0
    return total + current


def _amount(toks: list[_Tok], i: int) -> tuple[float, int, bool] | None:
    """The number starting at token i: (value, index after it, written in words)."""
    t = toks[i]
    if _DIGITS.fullmatch(t.text):
        value = float(t.text.replace(",", ""))
        if not math.isfinite(value):
            return None  # a run of hundreds of digits is no amount anyone can check
        j = i + 1
        if j < len(toks) and toks[j].low in _SCALES:  # "3.5 million"
            value *= _SCALES[toks[j].low]
            j += 1
        return value, j, False
    if t.low not in _NUMBER_WORDS:
        return None
    words: list[str] = []
    j = i
    while j < len(toks):
        w = toks[j].low
        if w in _NUMBER_WORDS:
            words.append(w)
            j += 1
        elif w in {"-", "and"} and words and j + 1 < len(toks) and toks[j + 1].low in _NUMBER_WORDS:
            # "twenty-five", "one hundred and five"; not "one and two" (two numbers)
            if w == "and" and words[-1] not in _SCALES:
                break
            j += 1
        else:
            break
    if words[0] in _SCALES:
        return None  # "hundreds", "a thousand" (vague) are not checkable amounts
    value = _words_value(words)
    if value > _LARGEST:
        return None  # "thousand thousand thousand ..." past what a float holds
    return float(value), j, True


# -- extraction ----------------------------------------------------------------------------------------


def _dates(text: str, toks: list[_Tok], used: set[int]) -> list[Fact]:
    out: list[Fact] = []
    n = len(toks)

    def add(a: int, b: int, value: str) -> None:
        s, e = toks[a].start, toks[b - 1].end
        out.append(Fact("date", value, text[s:e], s, e))
        used.update(range(a, b))

    def year_at(k: int) -> int | None:
        if k < n and re.fullmatch(r"1\d{3}|20\d{2}", toks[k].text):
            return int(toks[k].text)
        return None

    def day_at(k: int) -> int | None:
        if k < n and re.fullmatch(r"(?:[12]?\d|3[01])(?:st|nd|rd|th)?", toks[k].text):
            d = int(re.match(r"\d+", toks[k].text).group())  # type: ignore[union-attr]
            return d if 1 <= d <= 31 else None
        return None

    def month_at(k: int) -> int | None:
        # Capitalised only: "may" is a verb.
        if k < n and toks[k].text[:1].isupper():
            return _MONTHS.get(toks[k].low.rstrip("."))
        return None

    def day_and_month(a: int, after: int, month: int, day: int) -> int:
        """The date from token a up to token ``after``, with the year that follows it (after an optional
        comma) if one does; returns the index of the token after the date."""
        k = after + int(after < n and toks[after].text == ",")
        year = year_at(k)
        if year is not None:
            add(a, k + 1, f"{year}-{month:02d}-{day:02d}")
            return k + 1
        add(a, after, f"--{month:02d}-{day:02d}")
        return after

    def with_the(k: int) -> int:
        return k - 1 if k > 0 and toks[k - 1].low == "the" else k

    for m in _ISO_DATE.finditer(text):
        out.append(Fact("date", m.group(), m.group(), m.start(), m.end()))
        used.update(k for k, t in enumerate(toks) if m.start() <= t.start < m.end())
    i = 0
    while i < n:
        t = toks[i]
        # Month names count only beside a day or a year: "March 12, 2019", "March 2019".
        month = month_at(i)
        if month is not None and i not in used:
            j = i + 1
            if j < n and toks[j].text == ".":
                j += 1
            day = day_at(j)
            if day is not None:
                i = day_and_month(i, j + 1, month, day)
                continue
            k = j + int(j < n and toks[j].text == ",")
            year = year_at(k)
            if year is not None:
                add(i, k + 1, f"{year}-{month:02d}")
                i = k + 1
                continue
        # "12 March 2019", "12th of March"
        day = day_at(i)
        if day is not None and i not in used:
            j = i + 1 + int(i + 1 < n and toks[i + 1].low == "of")
            month = month_at(j)
            if month is not None:
                i = day_and_month(i, j + 1, month, day)
                continue
        m = _DECADE.fullmatch(t.text)
        if m and i not in used:
            a = with_the(i)
            s, e = toks[a].start, t.end
            out.append(Fact("date", f"{m.group(1)}{m.group(2)}0s", text[s:e], s, e))
            used.update(range(a, i + 1))
            i += 1
            continue
        # "19th century", "the nineteenth century"
        if i + 1 < n and toks[i + 1].low in {"century", "centuries"} and i not in used:
            om = _ORDINAL_DIGITS.fullmatch(t.text)
            c = int(om.group(1)) if om else _ORDINALS.get(t.low)
            if c:
                a = with_the(i)
                s, e = toks[a].start, toks[i + 1].end
                out.append(Fact("date", f"C{c}", text[s:e], s, e))
                used.update(range(a, i + 2))
                i += 2
                continue
        i += 1
    return out


def _quantities(text: str, toks: list[_Tok], used: set[int]) -> list[Fact]:
    out: list[Fact] = []
    not_units = _not_units()
    n = len(toks)
    i = 0
    while i < n:
        if i in used:
            i += 1
            continue
        t = toks[i]
        start_tok = i
        currency: str | None = None
        # Currency before the amount: "$1,200", "EUR 5", "US$ 3"
        if t.text in _CURRENCY_SYMBOLS and i + 1 < n:
            currency, i = _CURRENCY_SYMBOLS[t.text], i + 1
        elif t.text in _CURRENCY_CODES and i + 1 < n and _DIGITS.fullmatch(toks[i + 1].text):
            currency, i = t.text, i + 1
        elif t.text == "US" and i + 2 < n and toks[i + 1].text == "$":
            currency, i = "USD", i + 2
        # A time of day ("10:00"): a number labelled "time", "09:00" = "9:00".
        tm = _TIME.fullmatch(t.text) if currency is None else None
        if tm:
            value = f"{int(tm.group(1)):02d}:{tm.group(2)}"
            out.append(Fact("number", value, t.text, t.start, t.end, "time"))
            i += 1
            continue
        got = _amount(toks, i) if i not in used else None
        if got is None:
            # Ordinals: "third", "21st" (not the discourse markers "First," "Second,")
            om = _ORDINAL_DIGITS.fullmatch(t.text)
            if om or (t.low in _ORDINALS and not (i + 1 < n and toks[i + 1].text == ",")):
                value = int(om.group(1)) if om else _ORDINALS[t.low]
                out.append(Fact("number", value, t.text, t.start, t.end, "ordinal"))
            i = start_tok + 1
            continue
        value, j, in_words = got
        # Year: a bare 4-digit number read as a date (money or a unit noun after it says otherwise)
        if (
            currency is None
            and re.fullmatch(r"1\d{3}|20\d{2}", t.text)
            and not (j < n and (toks[j].text == "%" or _unit_of(toks[j]) in _DURATION))
        ):
            prev = toks[i - 1].low if i > 0 else ""
            nxt = toks[j] if j < n else None
            unit_next = (
                nxt is not None and nxt.low not in not_units and nxt.text.isalpha() and nxt.text.islower()
            )
            # "1000", "1500 employees", "2000 people" without a cue are amounts; "in 2000" is a year
            round_amount = int(t.text) % 100 == 0
            if prev in _YEAR_CUES or not (unit_next or round_amount):
                out.append(Fact("date", t.text, t.text, t.start, t.end))
                i = j
                continue
        lo, hi = value, None
        # Range: "3-5 days", "3 to 5", "between 3 and 5"
        if j + 1 < n and (
            toks[j].text in _RANGE_JOIN or (toks[j].low == "and" and i > 0 and toks[i - 1].low == "between")
        ):
            second = _amount(toks, j + 1)
            if second is not None and second[0] != value:
                hi, j = second[0], second[1]
        amount: Any = _num(lo) if hi is None else (_num(lo), _num(hi))
        # One written "one" is a pronoun more often than a number ("one of the"): it needs a unit.
        lone_one = in_words and hi is None and value == 1 and toks[i].low == "one"
        joiner = j < n and toks[j].text == "-"
        k = j + int(joiner)  # "3-year"
        nxt = toks[k] if k < n else None
        if nxt is not None and "\n" in text[toks[k - 1].end : nxt.start]:
            nxt = None  # a table's next row or the next line is no unit: "48500 | 6\nDCK-01"
        kind: str
        label = ""
        if currency is None and nxt is not None and nxt.text == "%":
            kind, end_tok = "percent", k + 1
        elif currency is None and nxt is not None and nxt.low in _PERCENT_WORDS:
            kind, end_tok = "percent", k + 1
        elif (
            currency is None
            and nxt is not None
            and nxt.low == "per"
            and k + 1 < n
            and toks[k + 1].low == "cent"
        ):
            kind, end_tok = "percent", k + 2
        elif currency is None and nxt is not None and _unit_of(nxt) in _DURATION:
            base, factor = _DURATION[_unit_of(nxt)]
            amount = (
                (_num(lo * factor), base) if hi is None else ((_num(lo * factor), _num(hi * factor)), base)
            )
            kind, end_tok = "duration", k + 1
        elif (
            currency is None
            and nxt is not None
            and (_singular(nxt.low) in _CURRENCY_WORDS or nxt.text in _CURRENCY_CODES)
        ):
            code = _CURRENCY_WORDS.get(_singular(nxt.low)) or nxt.text
            kind, end_tok, currency = "money", k + 1, code
        elif currency is not None:
            kind, end_tok = "money", j
        else:
            if lone_one:
                i = j
                continue
            kind, end_tok = "number", j
            if nxt is not None and nxt.text.isalpha() and nxt.low not in not_units and not joiner:
                label = _singular(nxt.low)
        if kind == "money":
            if currency == "cent":
                amount, currency = (
                    _num(lo / 100) if hi is None else (_num(lo / 100), _num(hi / 100)),
                    "USD",
                )
            amount = (amount, currency)
        s, e = toks[start_tok].start, toks[end_tok - 1].end
        out.append(Fact(kind, amount, text[s:e], s, e, label))  # type: ignore[arg-type]
        i = end_tok
    return out


def _unit_of(tok: _Tok) -> str:
    return _singular(tok.low)


def _quotes(text: str) -> list[Fact]:
    out = []
    for m in _QUOTE.finditer(text):
        inner = m.group(1) or m.group(2)
        value = normalise(inner)
        if value:
            out.append(Fact("quote", value, m.group(), m.start(), m.end()))
    return out


def _negations(text: str) -> list[Fact]:
    return [Fact("negation", "not", m.group(), m.start(), m.end()) for m in NEGATION.finditer(text)]


def _entities(text: str, taken: list[Fact]) -> list[Fact]:
    out = []
    for ent in _nlp()(text).ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        s, e = ent.start_char, ent.end_char
        e = s + len(text[s:e].rstrip())  # a run of spaces (a blanked citation marker) may end an entity
        # "EUR 5" tagged ORG, "the 2015 season": a quantity already says it.
        if any(f.kind != "number" and f.start < e and s < f.end for f in taken):
            continue
        value = normalise(ent.text)
        if len(value) < 2 or value in stop_words() or not re.search(r"[a-z]{2}", value):
            continue
        out.append(Fact("entity", value, text[s:e], s, e, ent.label_))
    return out


def normalise(text: str) -> str:
    """Lowercase words only: no leading "the", no possessive 's, no punctuation (used on both sides)."""
    t = re.sub(r"['’]s\b", "", text.lower())
    t = re.sub(r"[^\w]+", " ", t).strip()
    t = re.sub(r"^the\s+", "", t)
    return t


def extract(text: str, *, names: bool = True) -> list[Fact]:
    """Every checkable fact in the text, in order of position. ``names=False`` leaves out the named
    entities, the one costly part (the entity recogniser: ~5 ms a sentence; the rest is rules)."""
    return list(_extract(text, names))


@lru_cache(maxsize=4096)
def _extract(text: str, names: bool) -> tuple[Fact, ...]:
    # Source chunks come back in answer after answer: their facts are computed once.
    toks = _tokens(text)
    used: set[int] = set()
    facts = _dates(text, toks, used)
    facts += _quantities(text, toks, used)
    if names:
        facts += _entities(text, facts)
    facts += _quotes(text)
    facts += _negations(text)
    return tuple(sorted(facts, key=lambda f: (f.start, f.end)))


def matches_kind(fact: Fact, kind: AnswerKind) -> bool:
    """The fact is the kind of thing a question of this kind asks for."""
    if kind in {"duration", "date", "money", "percent"}:
        return fact.kind == kind
    if kind == "number":
        return fact.kind in {"number", "money", "percent"} and fact.label not in {"ordinal", "time"}
    if fact.kind != "entity":
        return False
    if kind == "person":
        return fact.label in {"PERSON", "ORG", "NORP"}
    if kind == "place":
        return fact.label in {"GPE", "LOC", "FAC"}
    if kind == "organisation":
        return fact.label == "ORG"
    return False


# -- the spaCy pipeline --------------------------------------------------------------------------------

_lock = threading.Lock()
_pipeline: Any = None


class _Locked:
    """The pipeline behind a lock: spaCy does not promise that one Language is safe across threads."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp

    def __call__(self, text: str) -> Any:
        with _lock:
            return self._nlp(text)


def _nlp() -> Any:
    global _pipeline
    if _pipeline is None:
        with _lock:
            if _pipeline is None:
                import spacy

                # Only the entity recogniser (and the tok2vec it listens to).
                nlp = spacy.load(
                    "en_core_web_sm", exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]
                )
                _pipeline = _Locked(nlp)
    return _pipeline


def warm_up() -> None:
    """Load the spaCy pipeline now rather than in the first answer."""
    _nlp()("Warm up.")
