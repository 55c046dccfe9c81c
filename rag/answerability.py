"""Answerability: does the retrieved text answer the question? A small model instead of one threshold.

``features`` turns what the answer path has already computed (the question, the hits with their dense and
sparse scores, the sentence-level retrieval confidence, the extractive evidence) into a few dozen numbers:
retrieval confidence, score margins, how much of the question's key terms and names the best evidence
covers, whether the evidence holds the kind of fact the question asks for (a year for "when", a number
for "how many"), and mismatches such as a year in the question that the evidence gives differently.
``AnswerabilityModel`` scores them with a logistic regression trained by bench/train_answerability.py on
the calibration half of SQuAD 2.0 dev, shipped as JSON (feature names, scaling, coefficients, threshold,
metrics) and read without pickle or scikit-learn. Nothing here embeds: it costs rag.facts (spaCy's entity
recogniser, cached per text) on the question and the best evidence sentence, a few milliseconds.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.errors import ConfigError
from core.language import detector
from core.types import Hit
from rag.facts import extract, matches_kind, normalise
from rag.question import AnswerKind, answer_kind, content_stems
from rag.refuse import Confidence

log = logging.getLogger(__name__)

MODEL_FORMAT = "rag-answerability-logistic/1"
PACKAGED_MODEL = Path(__file__).resolve().parent / "models" / "answerability-v1.json"
MAX_MODEL_BYTES = 1_000_000  # the shipped file is ~5 KB; a larger one is no model of ours


class EvidenceLike(Protocol):
    """What the features read of rag.evidence.Evidence."""

    text: str
    chunk_id: str
    score: float  # the selection score
    similarity: float
    answer: Any  # the short answer span (rag.evidence.Span) or None


# ---------------------------------------------------------------------------------------------------------
# Features. Each group is one idea; bench/answerability_eval.py removes them a group at a time.

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "confidence": ("confidence", "sentence_margin", "evidence_score"),
    "scores": (
        "dense_top1",
        "dense_margin",
        "dense_vs_mean",
        "sparse_per_term",
        "sparse_margin",
        "sparse_vs_mean",
        "same_top",
        "best_in_top_hit",
    ),
    "coverage": (
        "terms_sentence",
        "terms_chunk",
        "terms_hits",
        "terms_missing",
        "names_chunk",
        "names_missing",
        "question_terms",
    ),
    "kind": ("kind_other", "kind_in_sentence", "kind_in_chunk", "kind_in_evidence", "answer_span"),
    "mismatch": (
        "year_contradicted",
        "year_missing",
        "number_contradicted",
        "number_missing",
        "negation_mismatch",
    ),
}
FEATURES: tuple[str, ...] = tuple(f for group in FEATURE_GROUPS.values() for f in group)

_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_NEGATION = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without)\b|n't\b")
_DATE_WORDS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"century|centuries|\d+(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
_UNIT_WORDS = re.compile(
    r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies)|"
    r"hundred|thousand|million|billion|dozen|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b",
    re.IGNORECASE,
)


def features(
    question: str,
    hits: Sequence[Hit],
    confidence: Confidence,
    evidence: Sequence[EvidenceLike] = (),
) -> tuple[dict[str, float], dict[str, str]]:
    """The feature values, and notes in words for those that can explain a refusal (by feature name)."""
    f: dict[str, float] = dict.fromkeys(FEATURES, 0.0)
    notes: dict[str, str] = {}
    if not hits:
        return f, notes
    by_id = {h.chunk_id: h for h in hits}
    best_sentence = evidence[0].text if evidence else (confidence.sentence or "")
    best_chunk_id = evidence[0].chunk_id if evidence else confidence.chunk_id
    chunk = by_id[best_chunk_id].text if best_chunk_id in by_id else hits[0].text
    evidence_text = " ".join(e.text for e in evidence) if evidence else best_sentence
    all_text = " ".join(h.text for h in hits)

    # Confidence: the best question-sentence cosine, and how far the best evidence stands above the next.
    f["confidence"] = confidence.value
    if evidence:
        f["evidence_score"] = evidence[0].score
    if len(evidence) >= 2:
        f["sentence_margin"] = evidence[0].similarity - evidence[1].similarity

    # Scores: dense cosines and BM25 scores of the hits (None where a hit came from the other list only).
    dense = sorted((h.dense_score for h in hits if h.dense_score is not None), reverse=True)
    sparse = sorted((h.sparse_score for h in hits if h.sparse_score is not None), reverse=True)
    q_terms = content_stems(question)
    if dense:
        f["dense_top1"] = dense[0]
        f["dense_margin"] = dense[0] - (dense[1] if len(dense) > 1 else 0.0)
        f["dense_vs_mean"] = dense[0] - sum(dense) / len(dense)
    if sparse and sparse[0] > 0:
        f["sparse_per_term"] = sparse[0] / max(len(q_terms), 1)
        f["sparse_margin"] = (sparse[0] - (sparse[1] if len(sparse) > 1 else 0.0)) / sparse[0]
        f["sparse_vs_mean"] = (sparse[0] - sum(sparse) / len(sparse)) / sparse[0]
    top_dense = min(
        (h for h in hits if h.dense_rank is not None), key=lambda h: h.dense_rank or 0, default=None
    )
    top_sparse = min(
        (h for h in hits if h.sparse_rank is not None), key=lambda h: h.sparse_rank or 0, default=None
    )
    f["same_top"] = float(top_dense is not None and top_sparse is not None and top_dense is top_sparse)
    f["best_in_top_hit"] = float(best_chunk_id == hits[0].chunk_id)

    # Coverage: the question's content words and names, in the best sentence, its chunk, any hit.
    f["question_terms"] = float(len(q_terms))
    if q_terms:
        sentence_terms, chunk_terms, hit_terms = (
            content_stems(best_sentence),
            content_stems(chunk),
            content_stems(all_text),
        )
        f["terms_sentence"] = len(q_terms & sentence_terms) / len(q_terms)
        f["terms_chunk"] = len(q_terms & chunk_terms) / len(q_terms)
        f["terms_hits"] = len(q_terms & hit_terms) / len(q_terms)
        f["terms_missing"] = float(min(len(q_terms - hit_terms), 3))
    # Facts (rag.facts: spaCy's entity recogniser behind a lock, cached per text and shared with evidence
    # selection and verification) of the question and the best sentence.
    q_facts, s_facts = extract(question), extract(best_sentence)
    # The recogniser is English: in a German question every noun is capitalised and looks like a name.
    english = detector().detect(question) in (None, "en")
    names = {x.value: x.text for x in q_facts if x.kind == "entity"} if english else {}
    f["names_chunk"] = 1.0
    if names:
        in_chunk, in_all = f" {normalise(chunk)} ", f" {normalise(all_text)} "
        f["names_chunk"] = sum(f" {v} " in in_chunk for v in names) / len(names)
        missing = [t for v, t in names.items() if f" {v} " not in in_all]
        f["names_missing"] = float(min(len(missing), 2))
        if missing:
            notes["names_missing"] = f"the question names {_quote(missing)}; no retrieved passage does"
        elif f["names_chunk"] < 1:
            absent = [t for v, t in names.items() if f" {v} " not in in_chunk]
            notes["names_chunk"] = f"the best passage does not mention {_quote(absent)}"

    # Kind: the evidence holds a fact of the kind asked for, one the question does not already state.
    kind = answer_kind(question)
    f["kind_other"] = float(kind == "other")
    if kind != "other":
        stated = {x.value for x in q_facts}
        f["kind_in_sentence"] = float(any(matches_kind(x, kind) and x.value not in stated for x in s_facts))
        f["kind_in_chunk"] = float(_has_kind(kind, chunk, question))
        f["kind_in_evidence"] = float(_has_kind(kind, evidence_text, question))
        f["answer_span"] = float(any(e.answer is not None for e in evidence))
        if not f["kind_in_sentence"]:
            notes["kind_in_sentence"] = (
                f"the question asks for {_KIND_WORDS[kind]}; the best evidence holds none"
            )

    # Mismatches: a year or number the question states that the evidence gives differently or not at all.
    q_years = set(_YEAR.findall(question))
    if q_years:
        chunk_years, all_years = set(_YEAR.findall(chunk)), set(_YEAR.findall(all_text))
        absent = sorted(q_years - chunk_years)
        if absent and chunk_years:
            f["year_contradicted"] = 1.0
            notes["year_contradicted"] = (
                f"the question names {_quote(absent)}; the best evidence says {_quote(sorted(chunk_years))}"
            )
        if q_years - all_years:
            f["year_missing"] = 1.0
            notes["year_missing"] = notes.get("year_contradicted") or (
                f"the question names {_quote(sorted(q_years - all_years))}; no retrieved passage does"
            )
    q_numbers = {_norm_number(n) for n in _NUMBER.findall(question)} - q_years
    if q_numbers:
        chunk_numbers = {_norm_number(n) for n in _NUMBER.findall(chunk)} - set(_YEAR.findall(chunk))
        all_numbers = {_norm_number(n) for n in _NUMBER.findall(all_text)}
        absent = sorted(q_numbers - chunk_numbers)
        if absent and chunk_numbers:
            f["number_contradicted"] = 1.0
            notes["number_contradicted"] = (
                f"the question states {_quote(absent)}; "
                f"the best evidence says {_quote(sorted(chunk_numbers))}"
            )
        if q_numbers - all_numbers:
            f["number_missing"] = 1.0
            notes["number_missing"] = notes.get("number_contradicted") or (
                f"the question states {_quote(sorted(q_numbers - all_numbers))}; no retrieved passage does"
            )
    if _NEGATION.search(question.lower()) and not _NEGATION.search(evidence_text.lower()):
        f["negation_mismatch"] = 1.0
        notes["negation_mismatch"] = "the question is negated (not, never, no); the best evidence is not"
    return f, notes


_KIND_WORDS: dict[AnswerKind, str] = {
    "duration": "a duration",
    "date": "a date",
    "money": "an amount of money",
    "percent": "a percentage",
    "number": "a number",
    "person": "a person",
    "place": "a place",
    "organisation": "an organisation",
}


def _has_kind(kind: AnswerKind, text: str, question: str) -> bool:
    """The text holds a number, year or amount of this kind that the question does not already state (by
    pattern: cheap enough for whole chunks; names need the entity recogniser, see kind_in_sentence)."""
    q = question.lower()
    if kind not in ("date", "duration", "number", "money", "percent"):
        return False
    patterns = [m.group(0) for m in _NUMBER.finditer(text)]
    if kind in ("duration", "number"):
        patterns += [m.group(0) for m in _UNIT_WORDS.finditer(text)]
    if kind == "money":
        patterns = [p for p in patterns if re.search(rf"[$€£¥]\s?{re.escape(p)}", text)] or (
            ["money"] if re.search(r"\b(?:dollars?|euros?|pounds?|yen|cents?)\b", text, re.I) else []
        )
    if kind == "percent":
        patterns = [p for p in patterns if re.search(rf"{re.escape(p)}\s?(?:%|percent|per cent)", text)]
    if kind == "date":
        patterns = _YEAR.findall(text) + _DATE_WORDS.findall(text)
    return any(p.lower() not in q for p in patterns)


def _norm_number(text: str) -> str:
    return text.replace(",", "")


def _quote(items: Sequence[str]) -> str:
    return ", ".join(items[:3])


# ---------------------------------------------------------------------------------------------------------
# The model.


@dataclass(frozen=True, slots=True)
class Answerability:
    score: float  # P(answerable) from the model
    threshold: float
    answerable: bool  # score >= threshold
    features: dict[str, float]
    model: str  # version id, e.g. "answerability-v1"
    reasons: tuple[str, ...] = field(default=())  # the strongest reasons against, in words (best first)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "threshold": round(self.threshold, 4),
            "answerable": self.answerable,
            "model": self.model,
            "reasons": list(self.reasons),
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }

    @property
    def message(self) -> str:
        """For a refusal: why, in words, with the score and the threshold."""
        verdict = "likely" if self.answerable else "unlikely"
        text = (
            f"the retrieved passages are {verdict} to answer this question "
            f"(answerability {self.score:.2f}, threshold {self.threshold:.2f})"
        )
        if self.reasons:
            text += ": " + "; ".join(self.reasons)
        return text


@dataclass(frozen=True, slots=True)
class AnswerabilityModel:
    """A logistic regression over named features: P = sigmoid(intercept + coef . (x - mean) / scale)."""

    version: str
    threshold: float  # the shipped operating point
    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    info: dict[str, Any] = field(default_factory=dict, repr=False)  # training data, metrics, versions

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerabilityModel:
        """Read a model file (None: the packaged one). JSON only: a model file can never run code."""
        path = path or PACKAGED_MODEL
        try:
            size = Path(path).stat().st_size
            if size > MAX_MODEL_BYTES:
                raise ConfigError(
                    f"answerability model file {path} is {size} bytes; a model file is a few KB "
                    f"(at most {MAX_MODEL_BYTES})"
                )
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ConfigError(f"answerability model file {path} does not exist") from e
        except UnicodeDecodeError as e:
            raise ConfigError(f"answerability model file {path} is not readable JSON (not UTF-8 text)") from e
        except json.JSONDecodeError as e:
            raise ConfigError(
                f"answerability model file {path} is not readable JSON ({e.msg}, line {e.lineno})"
            ) from e
        except RecursionError as e:
            raise ConfigError(f"answerability model file {path} is not a model (JSON nested too deep)") from e
        except ValueError as e:  # an integer of thousands of digits
            raise ConfigError(f"answerability model file {path} holds a number too long to read") from e
        except OSError as e:
            raise ConfigError(f"answerability model file {path} cannot be read ({e.strerror})") from e
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Any, where: str = "answerability model") -> AnswerabilityModel:  # noqa: ANN401
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        if data.get("format") != MODEL_FORMAT:
            raise ConfigError(
                f"{where}: unknown model format {data.get('format')!r} (this version reads {MODEL_FORMAT!r})"
            )
        try:
            names = tuple(str(n) for n in data["features"])
            model = cls(
                version=str(data["version"]),
                threshold=float(data["threshold"]),
                feature_names=names,
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                info={k: v for k, v in data.items() if k in ("training", "metrics", "sklearn", "created")},
            )
        except (KeyError, TypeError, ValueError, OverflowError) as e:
            raise ConfigError(f"{where}: missing or malformed field ({e})") from e
        unknown = sorted(set(names) - set(FEATURES))
        if unknown:
            raise ConfigError(f"{where}: features this version does not compute: {unknown}")
        if not len(names) == len(model.mean) == len(model.scale) == len(model.coef) or not names:
            raise ConfigError(f"{where}: features, mean, scale and coef must have the same non-zero length")
        numbers = (*model.mean, *model.scale, *model.coef, model.intercept, model.threshold)
        if not all(math.isfinite(v) for v in numbers) or any(s <= 0 for s in model.scale):
            raise ConfigError(f"{where}: non-finite numbers or a non-positive scale")
        if not 0.0 <= model.threshold <= 1.0:
            raise ConfigError(f"{where}: threshold {model.threshold} is outside [0, 1]")
        return model

    def score(self, values: dict[str, float]) -> tuple[float, list[tuple[float, str]]]:
        """P(answerable), and each feature's contribution to the log-odds (most negative first)."""
        parts = [
            (c * (values.get(n, 0.0) - m) / s, n)
            for n, m, s, c in zip(self.feature_names, self.mean, self.scale, self.coef, strict=True)
        ]
        z = self.intercept + sum(p for p, _ in parts)
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0))), sorted(parts)

    def assess(
        self,
        question: str,
        hits: Sequence[Hit],
        confidence: Confidence,
        evidence: Sequence[EvidenceLike] = (),
        threshold: float | None = None,
    ) -> Answerability:
        values, notes = features(question, hits, confidence, evidence)
        p, parts = self.score(values) if hits else (0.0, [])
        th = self.threshold if threshold is None else threshold
        reasons = list(dict.fromkeys(notes[n] for c, n in parts if c < 0 and n in notes))[:3]
        if not hits:
            reasons = ["nothing was retrieved"]
        elif not reasons:
            reasons = [_generic_reason(n, values) for c, n in parts[:2] if c < 0]
        return Answerability(
            score=p,
            threshold=th,
            answerable=p >= th,
            features=values,
            model=self.version,
            reasons=tuple(r for r in reasons if r),
        )


def _generic_reason(name: str, values: dict[str, float]) -> str:
    if name in ("confidence", "dense_top1"):
        return f"the best passage is not close to the question (similarity {values['confidence']:.2f})"
    if name.startswith("terms_"):
        return f"the best evidence covers {values['terms_sentence']:.0%} of the question's key terms"
    if name.startswith("sparse_") or name.startswith("dense_"):
        return "no passage stands out from the others"
    return ""
