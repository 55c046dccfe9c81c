"""The Presidio engine behind ``core.guard.pii``: spaCy ``en_core_web_sm`` plus Presidio's recognisers,
with the ones that fail on business text replaced. Imported only when a detector is built.

What is changed from Presidio's defaults, and why (figures in bench/pii_eval.py):
- e-mail: the TLD check uses an offline ``tldextract`` (no suffix-list fetch) that also knows the
  reserved and internal TLDs (``.example``, ``.test``, ``.internal``): the default refused those.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from core.guard.pii import _EXTRA_TLDS, _MODEL, _PIECE

logger = logging.getLogger(__name__)

# No cache directory, no suffix-list URLs: the bundled snapshot, never the network.
_TLD = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), extra_suffixes=_EXTRA_TLDS)


class OfflineEmailRecognizer(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return _TLD(pattern_text.rsplit("@", 1)[-1]).fqdn != ""


class Engine:
    """AnalyzerEngine with our recognisers; ``analyze`` is safe to call from several threads."""

    def __init__(self, analyzer: AnalyzerEngine) -> None:
        self.analyzer = analyzer

    def analyze(self, text: str, entities: Sequence[str], min_score: float) -> list[RecognizerResult]:
        return self.analyzer.analyze(
            text=text, entities=list(entities), language="en", score_threshold=min_score
        )


def build(entities: Sequence[str]) -> Engine:
    from core import offline

    offline.guard()  # the packaged spaCy model, never a download
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
    registry.remove_recognizer("EmailRecognizer")
    registry.add_recognizer(OfflineEmailRecognizer())
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    _check_entities(analyzer, entities)
    return Engine(analyzer)


def _check_entities(analyzer: AnalyzerEngine, entities: Sequence[str]) -> Any:
    known = set(analyzer.get_supported_entities("en"))
    unknown = sorted(set(entities) - known)
    if unknown:
        logger.warning("PII entity types no recogniser finds: %s", ", ".join(unknown))
