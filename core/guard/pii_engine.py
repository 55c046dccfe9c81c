"""The Presidio engine behind ``core.guard.pii``: spaCy ``en_core_web_sm`` plus Presidio's recognisers,
with the ones that fail on business text replaced or corrected. Imported only when a detector is built.

What is changed from Presidio's defaults, and why (measured with bench/pii_eval.py on the dev split):
- e-mail: the TLD check uses an offline ``tldextract`` (no suffix-list fetch) that also knows the
  reserved and internal TLDs (``.example``, ``.test``, ``.internal``): the default refused those.
- phone: candidates found by a pattern, then kept when ``phonenumbers`` says they are a valid number of
  one of ``PHONE_REGIONS`` (or in international form). Presidio's own scored 0.4, under the default
  threshold, unless a context word stood next to it (recall 0.18), and ran the matcher once per region.
- credit card: Mastercard's 2-series (2221-2720) added to the pattern; still Luhn-checked.
- person: the small model misses or mislabels (ORG, GPE, NORP) many non-English names; core.guard.pii_names
  adds names after cues, names an e-mail address spells and repeats of a found name, and drops spans with
  digits, company-like spans and all-caps words.
- IBAN: matched case-sensitively (the registry's IGNORECASE let the pattern swallow the next word).
- US driver licence: Presidio's pattern matches "v10" next to "licence"; at least five digits required.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
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
from core.guard.pii_names import (
    PERSON,
    chat_names,
    cue_names,
    email_names,
    not_a_person,
    propagate,
    result,
    script_names,
    trim_name,
)

logger = logging.getLogger(__name__)

PHONE_REGIONS = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "BE", "AT", "CH", "IE", "CA", "IN", "BR")
PHONE_REGIONS += ("SE", "FI", "DK", "NO", "PT", "CZ", "TR", "NG", "KE", "ZA", "EG", "SG", "AU", "NZ", "MX")


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
# "Tel.+44 ..." and "(+44) ..." too.
_PHONE_CANDIDATE = re.compile(
    r"(?:(?<=[^\W\d_]\.)\+|(?<![\w+.\-/])(?:\(\+|\+|00)?)\(?\d[\d \t().\-/]{5,20}\d(?![\w.\-/]?\d)"
)
# Words shortly before a number that say it is a phone number ("Phone no.:", "Tel nr", "Mobil:").
_PHONE_CUE = re.compile(
    r"\b(?:phone|telephone|tel|mob|mobile|cell|cellphone|fax|call|ring|reach|whatsapp|signal|sms|text|"
    r"number|hotline|helpline|desk|line|telefon|telefono|teléfono|téléphone|telefone|portable|mobil|móvil|"
    r"mobiel|handy|celular|puhelin|numer|numéro|nummer|contact|contacto|kontakt)\b",
    re.IGNORECASE,
)
# ... unless the number is named as another identifier ("NHS number: 840 592 2660").
_OTHER_ID_CUE = re.compile(
    r"\b(?:nhs|ssn|social security|passport|licen[cs]e|tax|vat|iban|account|sort code|policy|member)\b",
    re.IGNORECASE,
)
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
            window = text[max(0, start - 32) : start]
            if _OTHER_ID_CUE.search(window):  # named as another identifier: that recogniser's
                continue
            cue = bool(_PHONE_CUE.search(window))
            if (
                _DATE_LIKE.match(raw)
                or _IPV4_LIKE.match(raw)
                or (not cue and _ID_CUE.search(text[max(0, start - 16) : start]))
            ):
                continue
            digits = sum(c.isdigit() for c in raw)
            if not 7 <= digits <= 15:
                continue
            if (
                raw.isdigit() and not raw.startswith("0") and digits < 9
            ):  # a bare short run: an id, not a line
                continue
            if self._valid(raw.replace("(+", "+", 1).replace(")", "", 1) if raw[:2] == "(+" else raw, cue):
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

    def _valid(self, raw: str, cue: bool) -> bool:
        """Valid for a region; or, in international form or after a phone cue, merely possible (right
        length for its country): numbers in ranges not yet allocated, or reserved for fiction (UK 07700
        900xxx, US 555-01xx), are still someone's number in the text and a redactor masks them."""
        international = raw.startswith(("+", "00"))
        possible = False
        for region in (None,) if international else self.regions:
            try:
                number = phonenumbers.parse(raw.replace("(0)", "") if international else raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
            possible = possible or phonenumbers.is_possible_number(number)
        return possible and (international or cue)


# A dotted quad after these words is a version ("version 10.2.0.1", "from build 4.1.0.2 to 4.1.0.3").
_VERSION_CUE = re.compile(
    r"\b(?:version|ver|v|release|build|firmware|fw|rev|revision|patch|sdk|agent|update|upgrade|"
    r"upgraded|downgraded|kernel)\b[\s.:#]*(?:\S+[\s,]+(?:to|from|and|or|->|→)[\s:]+)?$",
    re.IGNORECASE,
)
# Number types that a phone number found at the same place explains ("+1 937 555 0141" is not an NHS no.).
_PHONE_SHADOWED = {"UK_NHS", "US_DRIVER_LICENSE", "US_PASSPORT", "US_ITIN", "US_BANK_NUMBER"}


def refine(text: str, results: list[RecognizerResult], entities: Sequence[str]) -> list[RecognizerResult]:
    """Presidio's results with the corrections in the module docstring."""
    kept: list[RecognizerResult] = []
    phones = [r for r in results if r.entity_type == "PHONE_NUMBER"]
    for r in results:
        span = text[r.start : r.end]
        if r.entity_type == PERSON:
            trimmed = trim_name(span, r.start)
            if trimmed is None or not_a_person(text, *trimmed):
                continue
            r = result(PERSON, *trimmed, r.score, "spacy")
        elif r.entity_type == "US_DRIVER_LICENSE" and sum(c.isdigit() for c in span) < 5:
            continue
        elif r.entity_type == "IP_ADDRESS" and _VERSION_CUE.search(text[max(0, r.start - 48) : r.start]):
            continue
        elif r.entity_type in _PHONE_SHADOWED and any(p.start <= r.start and r.end <= p.end for p in phones):
            continue
        kept.append(r)
    if PERSON in entities:
        emails = [r for r in kept if r.entity_type == "EMAIL_ADDRESS"]
        extra = cue_names(text) + email_names(text, emails) + chat_names(text) + script_names(text)
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
