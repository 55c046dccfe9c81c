"""Slice attributes of one trace: which groups of questions, documents and callers it belongs to, so that
quality can be broken down by group (rag.monitor.slice_report). Computed on the trace writer's thread.

- ``question_language``: langdetect on the question (its own detector factory, seeded: the same question
  always gets the same answer); fewer than ``_MIN_WORDS`` words, or no language at least
  ``_MIN_PROBABILITY`` likely: "unknown";
- ``question_length``: words, short (<= 5), medium (<= 15), long;
- ``doc_type``: the file extension of the retrieved documents (always on), and ``doc.KEY`` for each key of
  ``monitoring.slice_doc_keys`` in the documents' metadata (``doc.language``, when the metadata has
  none, is the language ingestion found for the chunk). A trace's value is the top hit's: the
  document the question was routed to. A majority among the top hits was tried and dropped: it favours
  documents cut into many chunks (a two-chunk post-mortem ranked first lost to a handbook's filler
  chunks at ranks 2 and 3). A top hit without the key gives way to the next one that has it, down to
  rank ``slice_top_k``; a trace with no hit (or none with the key) is in no slice of that key;
- ``caller.KEY``: each key of ``monitoring.slice_caller_keys`` in the trace's metadata (what the caller
  sent with the request, see api.schemas ``metadata``).

Values are strings cut to ``_MAX_VALUE`` characters; no question text is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from core.settings import MonitoringSettings
from core.types import Hit

UNKNOWN = "unknown"
_MIN_WORDS = 3
_MIN_PROBABILITY = 0.9
_MAX_VALUE = 64
_SEED = 0

_factory: Any = None
_factory_lock = threading.Lock()


def slice_attributes(
    question: str | None, hits: Sequence[Hit], metadata: Mapping[str, Any], settings: MonitoringSettings
) -> dict[str, str]:
    out: dict[str, str] = {}
    if question is not None:
        out["question_language"] = question_language(question)
        out["question_length"] = length_bucket(question)
    top = hits[: settings.slice_top_k]
    doc_type = first([_extension(h.source) for h in top])
    if doc_type is not None:
        out["doc_type"] = doc_type
    for key in settings.slice_doc_keys:
        value = first([_doc_value(h, key) for h in top])
        if value is not None:
            out[f"doc.{key}"] = value
    for key in settings.slice_caller_keys:
        value = _value(metadata.get(key))
        if value is not None:
            out[f"caller.{key}"] = value
    return out


def _doc_value(hit: Hit, key: str) -> Any:
    """The document's metadata value; for "language" without one, the language found for the chunk."""
    value = (hit.payload.get("metadata") or {}).get(key)
    return hit.language or None if value is None and key == "language" else value


def length_bucket(question: str) -> str:
    words = len(question.split())
    return "short" if words <= 5 else "medium" if words <= 15 else "long"


def question_language(question: str) -> str:
    if len(question.split()) < _MIN_WORDS:
        return UNKNOWN
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(question)
    try:
        best = max(detector.get_probabilities(), key=lambda lang: lang.prob, default=None)
    except LangDetectException:  # no letters it knows
        return UNKNOWN
    return best.lang if best is not None and best.prob >= _MIN_PROBABILITY else UNKNOWN


def first(values: Sequence[Any]) -> str | None:
    """The first value that is one (as a string), in rank order; None when none is."""
    return next((v for v in (_value(x) for x in values) if v is not None), None)


def _value(x: Any) -> str | None:
    if x is None or isinstance(x, dict | list):
        return None
    s = str(x).strip()
    return s[:_MAX_VALUE] if s else None


def _extension(source: str) -> str | None:
    suffix = PurePosixPath(source.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix or None


def _detector_factory() -> Any:
    """langdetect's profiles (a second to load, once), in a factory of ours: its seed is set here and not
    on the library's shared one."""
    global _factory
    with _factory_lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            f = DetectorFactory()
            f.load_profile(PROFILES_DIRECTORY)
            f.seed = _SEED
            _factory = f
        return _factory
