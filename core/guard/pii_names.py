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
    r"(?:Kind|Best|Warm)? ?[Rr]egards,|Thanks,|Cheers,|Sincerely,|Best,|Thank you,|Many thanks,|Yours,",
    r"Mit freundlichen Grüßen,?|Viele Grüße,?|Cordialement,?|Bien à vous,?|Saludos,?|Atentamente,?",
    r"Un saludo,?|Met vriendelijke groet(?:en)?,?|Groeten,?|Pozdrawiam,?|Cordiali saluti,?|Distinti saluti,?",
    r"Med vänliga hälsningar,?|Ystävällisin terveisin,?|Saygılarımla,?|S pozdravem,?|Atenciosamente,?",
    r"Thanks to|Ask for|ask for|Speak to|speak to|My name is|my name is|This is|this is|I'm|I am|cc:?",
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
    "robotics", "tech", "technology", "digital", "media", "design", "capital", "ventures", "industries",
    "international", "global", "networks", "cloud", "data", "security", "health", "medical", "clinic",
    "motors", "airlines", "hotel", "hotels", "studios", "trading", "textile", "tekstil", "bau", "haus",
    "limited", "company", "foundation", "institute", "trust", "association", "council", "agency", "ai",
}  # fmt: skip
_NOT_NAMES = {
    "iban", "tel", "fax", "vat", "invoice", "order", "ticket", "priority", "product", "total", "date", "due",
    "subject", "employee", "contact", "payment", "attendees", "apologies", "actions", "minutes", "salary",
    "laptop", "ssn", "nhs", "customer", "incident", "build", "release", "budget", "commit", "image",
    "config", "the", "our", "your", "please", "bill", "note", "hr", "crm", "on", "call", "kind", "regards",
    "best", "thanks", "dear", "hi", "hello", "from", "to", "cc", "re", "fw", "fwd", "account", "owner",
    "team", "all", "everyone", "sir", "madam", "colleagues", "there",
    # label and form words of other languages that the English model takes for names
    "telefon", "telefono", "teléfono", "téléphone", "tél", "telefone", "mobil", "móvil", "mobiel", "portable",
    "handy", "contacto", "kontakt", "référence", "referencia", "referenz", "referentie", "riferimento",
    "betreff", "objet", "asunto", "oggetto", "onderwerp", "gültig", "valable", "válido", "geldig", "valido",
    "bis", "datum", "fecha", "rechnung", "factura", "facture", "fattura", "factuur", "faktura", "betrag",
    "montant", "importe", "importo", "bedrag", "gesamt", "totaal", "adresse", "dirección", "indirizzo",
    "straße", "strasse", "via", "calle", "rue", "avenue", "plac", "piazza", "grüßen", "grüße",
    "freundlichen", "cordialement", "saludos", "groet", "groeten", "pozdrawiam", "saluti", "merci", "danke",
    "gracias", "grazie", "bedankt", "bitte", "appelez", "llame", "chiamare", "bellen", "rufen", "anrufen",
    "main", "st", "street", "road", "rd", "ave", "blvd", "platz", "weg", "laan", "straat",
    "version", "v", "support", "sure", "sorry", "here", "back", "out", "busy", "fine", "good", "ok",
}  # fmt: skip
# Words products and brands end in ("Ledger Pro", "Kestrel Hub"): the capitalised word before is no surname.
_PRODUCT_WORDS = {
    "pro", "max", "plus", "mini", "ultra", "air", "edge", "studio", "cloud", "hub", "one", "go", "lite",
    "suite", "desk", "app", "pos", "lims", "view", "pipe", "edition", "series", "model", "x", "se", "xl",
}  # fmt: skip
# Company-form suffixes after a capitalised word ("Anadolu A.Ş.", "Siering Oy", "Müller S.r.l.").
_ORG_SUFFIXES = {
    "a.ş", "aş", "s.r.l", "srl", "s.p.a", "spa", "s.a", "s.l", "sl", "sarl", "sas", "oy", "oyj", "ab",
    "b.v", "bv", "n.v", "nv", "a/s", "as", "asa", "aps", "s.r.o", "sro", "sp", "kg", "ohg", "ug", "pty",
    "pvt", "bhd", "k.k", "kk", "sa", "ag", "se", "ltd", "inc", "llc", "plc", "gmbh", "co", "corp",
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
    if not core or not all(_capital(w) for w in core):
        return False
    if any(w.isupper() and len(w) > 1 for w in core):  # acronyms: IBAN, VAT, SKU
        return False
    lowered = [w.lower().strip(".,") for w in core]
    if lowered[-1] in _ORG_WORDS | _PRODUCT_WORDS | _ORG_SUFFIXES or all(w in _NOT_NAMES for w in lowered):
        return False
    return True


def _capital(word: str) -> bool:
    """Starts with a capital, or with a letter of a script without case (Chinese, Japanese, ...)."""
    return word[:1].isalpha() and not word[:1].islower()


def not_a_person(text: str, start: int, end: int) -> bool:
    """Context says the span is a label, a product, a company or a place: followed by ":" (a form label,
    "Contacto:"), by a version or model number or a company suffix ("Anadolu A.Ş."), or in an address
    (after a postcode, "00-950 Warszawa"; before a US state and ZIP, "Springfield IL 62704")."""
    after = text[end : end + 24]
    before = text[max(0, start - 12) : start]
    nxt = re.match(r"[ \t]*,?[ \t]*(\S+)", after)
    token = nxt.group(1).rstrip(".,;:)") if nxt else ""
    return bool(
        re.match(r"[ \t]*:", after)
        or (after[:1] == " " and re.match(r"v?\d+(?:\.\d+)+\b|[A-Z]{1,3}\d{1,4}[a-z]?$", token))
        or (token[:1].isupper() and token.lower() in _ORG_SUFFIXES | _PRODUCT_WORDS)
        or re.search(r"\b\d{2}-\d{3}[ \t]+$|\b\d{4,5}[ \t]+$", before)
        or re.match(r"[ \t]*,?[ \t]*[A-Z]{2}[ \t]+\d{5}\b", after)
        or re.search(r"\b(?:ul|al|pl|os)\.[ \t]*$", before)
    )


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
        if not token or not _capital(token) or any(c.isdigit() for c in token):
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
        if found and not not_a_person(text, *found):
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
        names |= {w for w in name.split() if len(w) >= 2 and w.lower() not in _PARTICLES | _NOT_NAMES}
    if not names:
        return []
    pattern = re.compile(
        r"(?<![\w@.])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w@])"
    )
    return [result(PERSON, m.start(), m.end(), 0.6, "propagated") for m in pattern.finditer(text)]


# A chat line's speaker: "[09:14] anna: ...", "10:02 <tomas.k> ...", "anna kowalski: ..." at a line start.
_SPEAKER = re.compile(
    r"^[ \t]*(?:\[[^\]\n]{1,24}\][ \t]*|\d{1,2}:\d{2}(?::\d{2})?[ \t]*(?:[AaPp][Mm])?[ \t]*[-–]?[ \t]*)"
    r"<?@?([^\W\d_][^\W\d_'’\-]*(?:[ .][^\W\d_][^\W\d_'’\-]*)?)>?:?[ \t]",
    re.MULTILINE,
)
# Self-introductions and addressing in lowercase chat: "this is anna kowalski", "i'm tomas", "hey anna".
_INTRO = re.compile(
    r"\b(?:this is|i'm|i am|my name is|call me|ask for|speak to|talk to|hey|hi|thanks|thx|cc|@)[ \t]*"
    rf"((?:(?!(?:{'|'.join(sorted(_PARTICLES))})\b)[^\W\d_][^\W\d_'’\-]*)(?:[ \t]+[^\W\d_][^\W\d_'’\-]*)?)",
    re.IGNORECASE,
)
_CHAT_STOP = {"btw", "here", "from", "and", "or", "at", "the", "a", "an", "lol", "ok", "okay", "again"}


def chat_names(text: str) -> list[RecognizerResult]:
    """Speakers of chat lines (any case), and lowercase names after an introduction or greeting that are
    also a speaker or the first word of another introduction: chat logs write names in lowercase, which
    the model and the capitalised cues never see."""
    from spacy.lang.en.stop_words import STOP_WORDS

    def plain(word: str) -> bool:
        w = word.lower()
        return w not in STOP_WORDS and w not in _NOT_NAMES and w not in _CHAT_STOP and w not in _ORG_WORDS

    out: list[RecognizerResult] = []
    speakers: set[str] = set()
    for m in _SPEAKER.finditer(text):
        name = re.split(r"[ .]", m.group(1))[0] if "." in m.group(1) else m.group(1)
        if all(plain(w) for w in name.split()):
            speakers.add(name.lower())
            out.append(result(PERSON, m.start(1), m.start(1) + len(name), 0.65, "chat"))
    for m in _INTRO.finditer(text):
        words = list(re.finditer(r"\S+", m.group(1)))
        if not words or not plain(words[0].group()):
            continue
        end = m.start(1) + words[0].end()
        if len(words) > 1 and plain(words[1].group()):
            end = m.start(1) + words[1].end()
        cue = m.group().split()[0].lower()
        strong = cue in ("this", "i'm", "i", "my", "call", "ask", "speak", "talk")
        if words[0].group().lower() in speakers or (strong and end > m.start(1) + words[0].end()):
            if not not_a_person(text, m.start(1), end):
                out.append(result(PERSON, m.start(1), end, 0.6, "chat"))
    return out


# A short run of Han (or kana, hangul) characters inside Latin-script text: a name written in its script.
_SCRIPT_NAME = re.compile(
    r"(?<![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,4}(?![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])"
)


def script_names(text: str) -> list[RecognizerResult]:
    """Names in CJK script among Latin text (not in a text mostly in that script, where a run is a word)."""
    found = list(_SCRIPT_NAME.finditer(text))
    if not found or sum(len(m.group()) for m in found) * 5 > sum(c.isalpha() for c in text):
        return []
    return [result(PERSON, m.start(), m.end(), 0.6, "script") for m in found]
