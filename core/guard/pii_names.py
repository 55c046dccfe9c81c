"""Person names the small spaCy model misses in business text: after cues ("Dear", "From:", "Attendees:",
"Spoke with", role titles), spelled in an e-mail address of the same text, and every other occurrence of a
name found once. ``trim_name`` also cleans the model's own PERSON spans (no digits, no company-like or
all-caps words, no label words such as "Invoice")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult

PERSON = "PERSON"

_PARTICLES = {"van", "von", "de", "der", "den", "la", "le", "du", "del", "della", "di", "da", "dos", "das"}
_PARTICLES |= {"ter", "ten", "zu", "y", "e", "het", "'t"}
_NAME_WORD = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*"
_NAME = rf"{_NAME_WORD}(?:[ \t]+(?:(?:{'|'.join(sorted(_PARTICLES))})[ \t]+)*{_NAME_WORD}){{0,3}}"
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Sr|Sra|Dott)\.?"
_CUES = (
    r"Dear|Hi|Hello|Hey|Bonjour|Hallo|Ciao|Hola",
    r"From:|To:|Cc:|Bcc:|Reporter:|Assignee:|Assigned to:?|Owner:|Employee:|Contact:|Bill to:|Attn:?",
    r"Emergency contact:|Account owner:|On call:|Approved by:?|Signed:|Manager:|Line manager|Requested by:?",
    r"CEO|CFO|CTO|COO|CIO|CISO|VP|SVP|EVP|Director|Head of \w+",
    r"Spoke with|Spoke to|Met with|Call with|Meeting with|on behalf of|reported by|raised by|handled by",
    r"(?:Kind|Best|Warm)? ?[Rr]egards,|Thanks,|Cheers,|Sincerely,",
    _TITLES,
)
_CUE_NAME = re.compile(
    rf"(?:\b(?:{'|'.join(_CUES)}))(?:(?<=[.:,])[ \t]*\n?[ \t]*|[ \t]+\n?[ \t]*|[ \t]*\n[ \t]*)({_NAME})"
)
_LIST_CUE = re.compile(
    r"\b(?:Attendees|Apologies|Present|Absent|Participants|Invitees|Guests):[ \t]*([^\n]+)"
)
_ORG_WORDS = {
    "inc", "ltd", "llc", "gmbh", "ag", "sa", "bv", "plc", "corp", "co", "group", "holding", "holdings",
    "freight", "logistics", "analytics", "components", "foods", "software", "insurance", "energy", "pharma",
    "works", "bank", "systems", "solutions", "services", "partners", "consulting", "labs", "technologies",
    "university", "hospital", "team", "department", "support", "sales", "accounts", "receivable",
}  # fmt: skip
_NOT_NAMES = {
    "iban", "tel", "fax", "vat", "invoice", "order", "ticket", "priority", "product", "total", "date", "due",
    "subject", "employee", "contact", "payment", "attendees", "apologies", "actions", "minutes", "salary",
    "laptop", "ssn", "nhs", "customer", "incident", "build", "release", "budget", "commit", "image",
    "config", "the", "our", "your", "please", "bill", "note", "hr", "crm", "on", "call", "kind", "regards",
    "best", "thanks", "dear", "hi", "hello", "from", "to", "cc", "re", "fw", "fwd", "account", "owner",
    "team", "all", "everyone", "sir", "madam", "colleagues", "there",
}  # fmt: skip
_MAIL_STOP = {"info", "sales", "support", "admin", "billing", "noreply", "contact", "hr", "team", "office"}
_MAIL_STOP |= {"accounts", "hello", "mail", "service", "help", "jobs", "press", "security", "it", "finance"}


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def _name_like(text: str) -> bool:
    words = [w for w in re.split(r"[ \t]+", text) if w]
    if not words or any(ch.isdigit() for ch in text) or "\n" in text:
        return False
    core = [w for w in words if w.lower() not in _PARTICLES]
    if not core or not all(w[0].isupper() for w in core):
        return False
    if any(w.isupper() and len(w) > 1 for w in core):  # acronyms: IBAN, VAT, SKU
        return False
    lowered = [w.lower().strip(".,") for w in core]
    if lowered[-1] in _ORG_WORDS or all(w in _NOT_NAMES for w in lowered):
        return False
    return True


def trim_name(text: str, start: int) -> tuple[int, int] | None:
    """A name-like prefix of ``text`` (words up to the first that is not part of a name)."""
    words = list(re.finditer(r"\S+", text))
    keep_end = None
    for w in words:
        token = w.group().rstrip(".,;:")
        if token.lower() in _NOT_NAMES:
            if keep_end is None:
                return None
            break
        if token.lower() in _PARTICLES and keep_end is not None:
            continue
        if not token or not token[0].isupper() or any(c.isdigit() for c in token):
            break
        keep_end = w.start() + len(token)
        if w.group().endswith((":", ",", ";")):  # "Frances Young, Apologies: ..." ends at the comma
            break
    if keep_end is None:
        return None
    span = text[:keep_end]
    return (start, start + keep_end) if _name_like(span) else None


def result(kind: str, start: int, end: int, score: float, how: str) -> RecognizerResult:
    return RecognizerResult(kind, start, end, score, recognition_metadata={"recognizer_name": how})


def cue_names(text: str) -> list[RecognizerResult]:
    out = []
    for m in _CUE_NAME.finditer(text):
        found = trim_name(m.group(1), m.start(1))
        if found:
            out.append(result(PERSON, *found, 0.7, "cue"))
    for m in _LIST_CUE.finditer(text):
        at = m.start(1)
        for part in m.group(1).split(","):
            lead = len(part) - len(part.lstrip())
            found = trim_name(part.strip(), at + lead)
            if found:
                out.append(result(PERSON, *found, 0.7, "cue"))
            at += len(part) + 1
    return out


def email_names(text: str, emails: Iterable[RecognizerResult]) -> list[RecognizerResult]:
    """Capitalised words of ``text`` that an e-mail address of the same text spells (first.last@...)."""
    parts: set[str] = set()
    for e in emails:
        local = text[e.start : e.end].split("@", 1)[0]
        parts |= {p for p in re.split(r"[._\-+]", _fold(local)) if len(p) >= 3 and p not in _MAIL_STOP}
    if not parts:
        return []
    out = []
    for m in re.finditer(rf"\b{_NAME}", text):
        words = m.group().split()
        # extend only over words the address spells: "Jane Doe" for jane.doe@, not "Jane Doe Street"
        at = m.start()
        first = last = None
        for w in re.finditer(r"\S+", m.group()):
            if _fold(w.group()) in parts:
                first = at + w.start() if first is None else first
                last = at + w.end()
            elif first is not None and w.group().lower() not in _PARTICLES:
                break
        if first is not None and last is not None and words:
            found = trim_name(text[first:last], first)
            if found:
                out.append(result(PERSON, *found, 0.65, "email"))
    return out


def propagate(text: str, persons: list[RecognizerResult]) -> list[RecognizerResult]:
    """Every other occurrence of a name found once, and of its words on their own (capitalised)."""
    names: set[str] = set()
    for p in persons:
        name = text[p.start : p.end]
        names.add(name)
        names |= {w for w in name.split() if len(w) >= 3 and w.lower() not in _PARTICLES | _NOT_NAMES}
    if not names:
        return []
    pattern = re.compile(
        r"(?<![\w@.])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w@])"
    )
    return [result(PERSON, m.start(), m.end(), 0.6, "propagated") for m in pattern.finditer(text)]
