"""The Presidio engine behind ``core.guard.pii``: spaCy ``en_core_web_sm`` plus Presidio's recognisers,
with the ones that fail on business text replaced or corrected. Imported only when a detector is built.

What is changed from Presidio's defaults, and why (measured with bench/pii_eval.py on the dev split):
- e-mail: the TLD check uses an offline ``tldextract`` (no suffix-list fetch) that also knows the
  reserved and internal TLDs (``.example``, ``.test``, ``.internal``): the default refused those.
- phone: candidates found by a pattern, then kept when ``phonenumbers`` says they are a valid number of
  one of ``PHONE_REGIONS`` (or in international form). Presidio's own scored 0.4, under the default
  threshold, unless a context word stood next to it (recall 0.18), and ran the matcher once per region.
- credit card: Mastercard's 2-series (2221-2720) added to the pattern; still Luhn-checked.
- person: the small model misses or mislabels (ORG, GPE, NORP) many non-English names. Added: names
  after cues business text uses ("Dear", "From:", "Attendees:", "Spoke with", ...), names spelled in an
  e-mail address of the same text, and every other occurrence of a name found once. Dropped: spans with
  digits, company-like spans, all-caps words.
- IBAN: matched case-sensitively (the registry's IGNORECASE let the pattern swallow the next word).
- US driver licence: Presidio's pattern matches "v10" next to "licence"; at least five digits required.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import phonenumbers
import tldextract
from presidio_analyzer import (
    AnalysisExplanation,
    AnalyzerEngine,
    LocalRecognizer,
    Pattern,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
)
from spacy.tokens import Doc

from core.guard.pii import _EXTRA_TLDS, _MODEL, _PIECE

logger = logging.getLogger(__name__)

PHONE_REGIONS = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "BE", "AT", "CH", "IE", "CA", "IN", "BR")
PERSON = "PERSON"


def offline_tld() -> tldextract.TLDExtract:
    """No cache directory, no suffix-list URLs: the bundled snapshot, never the network."""
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), extra_suffixes=_EXTRA_TLDS)


_TLD = offline_tld()


class OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return _TLD(pattern_text.rsplit("@", 1)[-1]).fqdn != ""


class CardRecognizer(CreditCardRecognizer):
    PATTERNS = [
        Pattern(
            "All Credit Cards (weak)",
            r"\b(?!1\d{12}(?!\d))((4\d{3})|(5[0-5]\d{2})|(2[2-7]\d{2})|(6\d{3})|(1\d{3})|(3\d{3}))"
            r"[- ]?(\d{3,4})[- ]?(\d{3,4})[- ]?(\d{3,5})\b",
            0.3,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS, name="CreditCardRecognizer")


# A run of digits with the separators phone numbers are written with; at least 7 digits, one group.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+.\-/])(?:\+|00)?\(?\d[\d \t().\-/]{5,20}\d(?![\w.\-/]?\d)")
# Words before a number that make it an identifier, not a phone number ("order SO 24096933").
_ID_CUE = re.compile(
    r"(?:\b(?:order|SO|PO|ORD|invoice|INV|ref|reference|ticket|case|INC|asset|id|qty|build|rev|serial|"
    r"tracking|no|nr|account|customer|employee|item|part|batch|lot)\.?|#)[ \t:]*$",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
_IPV4_LIKE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


class ValidPhoneRecognizer(LocalRecognizer):
    """Phone numbers that ``phonenumbers`` calls valid (not merely possible) for one of the regions."""

    SCORE = 0.7
    CONTEXT = ["phone", "telephone", "tel", "cell", "mobile", "call", "fax", "reach", "contact"]

    def __init__(self, regions: Sequence[str] = PHONE_REGIONS) -> None:
        self.regions = tuple(regions)
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language="en",
            context=self.CONTEXT,
            name="PhoneRecognizer",
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in _PHONE_CANDIDATE.finditer(text):
            raw = m.group().rstrip(" -./(")
            start, end = m.start(), m.start() + len(raw)
            if raw.count("(") != raw.count(")") and raw.startswith("("):
                raw, start = raw[1:], start + 1
            if (
                _DATE_LIKE.match(raw)
                or _IPV4_LIKE.match(raw)
                or _ID_CUE.search(text[max(0, start - 16) : start])
            ):
                continue
            digits = sum(c.isdigit() for c in raw)
            if not 7 <= digits <= 15:
                continue
            if (
                raw.isdigit() and not raw.startswith("0") and digits < 9
            ):  # a bare short run: an id, not a line
                continue
            if self._valid(raw):
                out.append(
                    RecognizerResult(
                        "PHONE_NUMBER",
                        start,
                        end,
                        self.SCORE,
                        analysis_explanation=AnalysisExplanation(self.name, self.SCORE),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return out

    def _valid(self, raw: str) -> bool:
        international = raw.startswith(("+", "00"))
        for region in (None,) if international else self.regions:
            try:
                number = phonenumbers.parse(raw.replace("(0)", "") if international else raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False


# ---- persons ------------------------------------------------------------------------------------------

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


def _trim_name(text: str, start: int) -> tuple[int, int] | None:
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


def _result(kind: str, start: int, end: int, score: float, how: str) -> RecognizerResult:
    return RecognizerResult(kind, start, end, score, recognition_metadata={"recognizer_name": how})


def cue_names(text: str) -> list[RecognizerResult]:
    out = []
    for m in _CUE_NAME.finditer(text):
        found = _trim_name(m.group(1), m.start(1))
        if found:
            out.append(_result(PERSON, *found, 0.7, "cue"))
    for m in _LIST_CUE.finditer(text):
        at = m.start(1)
        for part in m.group(1).split(","):
            lead = len(part) - len(part.lstrip())
            found = _trim_name(part.strip(), at + lead)
            if found:
                out.append(_result(PERSON, *found, 0.7, "cue"))
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
            found = _trim_name(text[first:last], first)
            if found:
                out.append(_result(PERSON, *found, 0.65, "email"))
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
    return [_result(PERSON, m.start(), m.end(), 0.6, "propagated") for m in pattern.finditer(text)]


def refine(text: str, results: list[RecognizerResult], entities: Sequence[str]) -> list[RecognizerResult]:
    """Presidio's results with the corrections in the module docstring."""
    kept: list[RecognizerResult] = []
    for r in results:
        span = text[r.start : r.end]
        if r.entity_type == PERSON:
            trimmed = _trim_name(span, r.start)
            if trimmed is None:
                continue
            r = _result(PERSON, *trimmed, r.score, "spacy")
        elif r.entity_type == "US_DRIVER_LICENSE" and sum(c.isdigit() for c in span) < 5:
            continue
        kept.append(r)
    if PERSON in entities:
        emails = [r for r in kept if r.entity_type == "EMAIL_ADDRESS"]
        extra = cue_names(text) + email_names(text, emails)
        persons = [r for r in kept if r.entity_type == PERSON] + extra
        kept += extra + propagate(text, persons)
        kept = [r for r in kept if r.entity_type != PERSON or not _inside_other(r, kept)]
    return kept


def _inside_other(r: RecognizerResult, results: list[RecognizerResult]) -> bool:
    """A name inside an e-mail address or another finding is that finding's, not a person's."""
    return any(
        o.entity_type != PERSON and o.start <= r.start and r.end <= o.end for o in results if o is not r
    )


class _FastContext(LemmaContextAwareEnhancer):
    """Presidio's context step, with the token of a finding looked up by spaCy's binary search instead of
    a scan over every token (the scan made a call quadratic: 40% of the time on a 20,000-character text)."""

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens: Any, tokens_indices: list[int]) -> int:
        if isinstance(tokens, Doc):
            span = tokens.char_span(start, start + 1, alignment_mode="expand")
            if span is not None:
                return span.start
        return LemmaContextAwareEnhancer._find_index_of_match_token(word, start, tokens, tokens_indices)


class Engine:
    """AnalyzerEngine with our recognisers; ``analyze`` is safe to call from several threads."""

    def __init__(self, analyzer: AnalyzerEngine) -> None:
        self.analyzer = analyzer

    def analyze(self, text: str, entities: Sequence[str], min_score: float) -> list[RecognizerResult]:
        found = self.analyzer.analyze(
            text=text, entities=list(entities), language="en", score_threshold=min_score
        )
        return [r for r in refine(text, found, entities) if r.score >= min_score]


def build(entities: Sequence[str]) -> Engine:
    from core import offline

    offline.guard()  # the packaged spaCy model, never a download
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)  # one INFO line per recogniser
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": _MODEL}],
        }
    )
    nlp_engine = provider.create_engine()
    nlp = nlp_engine.nlp["en"]  # type: ignore[attr-defined]
    nlp.max_length = max(nlp.max_length, _PIECE * 2)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    for name, replacement in (
        ("EmailRecognizer", OfflineEmailRecognizer()),
        ("PhoneRecognizer", ValidPhoneRecognizer()),
        ("CreditCardRecognizer", CardRecognizer()),
        # Case-sensitive, its own default: the registry's IGNORECASE let the pattern take a following word
        # ("ES02...3789 quoting" -> "...3789 quot") and the checksum then failed.
        ("IbanRecognizer", IbanRecognizer()),
    ):
        registry.remove_recognizer(name)
        registry.add_recognizer(replacement)
    analyzer = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=["en"],
        context_aware_enhancer=_FastContext(),
    )
    unknown = sorted(set(entities) - set(analyzer.get_supported_entities("en")))
    if unknown:
        logger.warning("PII entity types no recogniser finds: %s", ", ".join(unknown))
    return Engine(analyzer)
