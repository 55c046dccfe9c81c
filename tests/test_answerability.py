"""The answerability model: the packaged file loads without pickle and scores; on sample_docs a question the
documents answer is answerable and one they never mention is not; a year the evidence contradicts lowers
the score and is named in the message; a broken or unknown model file is a clear error."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from app.runtime import Runtime
from conftest import SAMPLE_DOCS, SAMPLE_QUESTIONS
from core.errors import ConfigError
from core.settings import AnswerSettings, load_settings
from ingest.pipeline import Source
from rag.answerability import FEATURES, PACKAGED_MODEL, Answerability, AnswerabilityModel
from rag.evidence import select_evidence
from rag.refuse import retrieval_confidence

LYON = (
    "Lyon office. The Lyon office opened in 1996 with twelve engineers from the Porter robotics team. "
    "It moved to the Part-Dieu district in 2011, and today hosts the support desk for southern Europe."
)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache, parser):
    """sample_docs indexed once for the module (tenant "default"), and a note on the Lyon office (tenant
    "lyon"). Module-scoped like tests/test_answer.py's, on the session's model and parser."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("kb") / "data", embedding={"cache_dir": onnx_cache}
    )
    rt = Runtime(settings)
    rt.embedder = embedder  # type: ignore[misc]
    rt.parser = parser  # type: ignore[misc]
    # The text formats only (the office and PDF files take the parser seconds each): enough distractors.
    docs = [p for p in sorted(SAMPLE_DOCS.iterdir()) if p.suffix in {".md", ".txt", ".html", ".csv", ".eml"}]
    rt.ingestor.ingest([Source.from_path(p, p.name, "default") for p in docs])
    rt.ingestor.ingest([Source.from_bytes(LYON.encode(), "lyon.txt", "lyon")])
    yield rt
    del rt.parser
    rt.close()


@pytest.fixture(scope="module")
def model() -> AnswerabilityModel:
    return AnswerabilityModel.load()


def assess(kb: Runtime, model: AnswerabilityModel, question: str, tenant: str = "default") -> Answerability:
    """What the Answerer does: retrieve, the confidence gate's sentence scores, evidence, then assess."""
    hits = kb.retriever.search(question, tenant=tenant, top_k=AnswerSettings().top_k).hits
    confidence = retrieval_confidence(question, hits, kb.embedder)
    return model.assess(question, hits, confidence, select_evidence(question, hits, kb.embedder))


def test_the_packaged_model_is_json_and_loads_without_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pickle(*a: object, **kw: object) -> None:
        raise AssertionError("the model file must not be unpickled")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    data = json.loads(PACKAGED_MODEL.read_text())
    m = AnswerabilityModel.load()
    assert m.version == data["version"] == "answerability-v1" and 0 < m.threshold < 1
    assert set(m.feature_names) <= set(FEATURES) and m.info["training"]["questions"] > 1000
    p, _ = m.score(dict.fromkeys(FEATURES, 0.0))
    assert 0.0 < p < 1.0


@pytest.mark.parametrize(
    "question",
    [
        q
        for q, _, _ in SAMPLE_QUESTIONS
        if q.startswith(("How long is the warranty", "How many days", "Who owns"))
    ],
)
def test_a_question_the_documents_answer_is_answerable(kb, model, question: str) -> None:
    a = assess(kb, model, question)
    assert a.answerable and a.score >= a.threshold and a.model == "answerability-v1", a.to_dict()


@pytest.mark.parametrize("question", ["What is the capital of Peru?", "Who won the 2018 football world cup?"])
def test_a_question_the_documents_never_mention_is_not(kb, model, question: str) -> None:
    a = assess(kb, model, question)
    assert not a.answerable and a.score < a.threshold, a.to_dict()
    assert "answerability" in a.message and f"{a.threshold:.2f}" in a.message and a.reasons


def test_a_year_the_evidence_contradicts_scores_lower_and_is_named(kb, model) -> None:
    right = assess(kb, model, "How many engineers did the Lyon office open with in 1996?", "lyon")
    wrong = assess(kb, model, "How many engineers did the Lyon office open with in 1998?", "lyon")
    assert wrong.score < right.score, (right.to_dict(), wrong.to_dict())
    assert wrong.features["year_contradicted"] == 1.0 and right.features["year_contradicted"] == 0.0
    assert "1998" in wrong.message and "1996" in wrong.message, wrong.message


def test_no_hits_is_not_answerable(model) -> None:
    from rag.refuse import Confidence

    a = model.assess("What is the hotel cap in Lyon?", [], Confidence(0.0, None, None), [])
    assert not a.answerable and a.score == 0.0 and "nothing was retrieved" in a.message


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "model.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_a_broken_or_unknown_model_file_is_a_clear_error(tmp_path: Path) -> None:
    good = json.loads(PACKAGED_MODEL.read_text())
    cases: list[tuple[str, str | bytes]] = [
        ("not readable JSON", pickle.dumps({"format": "x"})),
        ("not readable JSON", '{"format": "rag-answerability-logistic/1", "version": '),
        (
            "unknown model format 'rag-answerability-logistic/9'",
            json.dumps(good | {"format": "rag-answerability-logistic/9"}),
        ),
        ("missing or malformed field", json.dumps({k: v for k, v in good.items() if k != "coef"})),
        (
            "features this version does not compute: ['moon_phase']",
            json.dumps(good | {"features": [*good["features"][:-1], "moon_phase"]}),
        ),
        ("same non-zero length", json.dumps(good | {"coef": good["coef"][:-1]})),
        ("outside [0, 1]", json.dumps(good | {"threshold": 7})),
    ]
    for expected, content in cases:
        with pytest.raises(ConfigError) as e:
            AnswerabilityModel.load(_write(tmp_path, content))
        message = str(e.value)
        assert expected in message and "model.json" in message, message
        assert "Error" not in message.split(":")[0] and "0x" not in message, message
    with pytest.raises(ConfigError, match="does not exist"):
        AnswerabilityModel.load(tmp_path / "missing.json")


def test_a_hostile_model_file_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    good = PACKAGED_MODEL.read_text()
    intercept = json.dumps(json.loads(good)["intercept"])
    cases: list[tuple[str, str]] = [
        ("nested too deep", "[" * 100_000 + "]" * 100_000),  # was RecursionError
        ("missing or malformed field", good.replace(intercept, "1" + "0" * 400, 1)),  # was OverflowError
        ("a number too long to read", good.replace(intercept, "1" + "0" * 5000, 1)),  # was ValueError
        ("a model file is a few KB", good + " " * 2_000_000),  # read whole, however large
    ]
    for expected, content in cases:
        with pytest.raises(ConfigError) as e:
            AnswerabilityModel.load(_write(tmp_path, content))
        message = str(e.value)
        assert expected in message and "model.json" in message, message
        assert "sys." not in message and "0x" not in message, message
