"""The embedded SmolLM2 (llama.cpp via xllamacpp): a smoke test of the whole answer path, streaming,
and token counting that agrees with llama.cpp. Wording is not asserted: tiny models vary with the build."""

from __future__ import annotations

import pytest

from app.runtime import Runtime
from conftest import SAMPLE_DOCS
from core.settings import load_settings
from ingest.pipeline import Source
from rag.answer import Answer
from rag.llm.base import Completion, Options, complete, generate


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory, embedder, onnx_cache):
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("emb") / "data", embedding={"cache_dir": onnx_cache}
    )
    assert settings.llm.resolved_provider == "embedded"
    runtime = Runtime(settings)
    runtime.embedder = embedder  # type: ignore[misc]
    names = ["employee-handbook.md", "travel-policy.md", "support-faq.html"]
    runtime.ingestor.ingest([Source.from_path(SAMPLE_DOCS / n, n, "default") for n in names])
    yield runtime
    runtime.close()


def test_smoke_answer_from_the_embedded_model(rt: Runtime) -> None:
    a = rt.answerer.ask("How many days of paid annual leave do employees get?", tenant="default")
    assert isinstance(a, Answer) and not a.refused and a.text.strip()
    assert a.model["provider"] == "embedded" and a.model["demo_quality"] is True and "demo" in a.model["note"]
    d = a.to_dict()
    numbers = {s["n"] for s in d["sources"]}
    assert d["sources"] and d["sources"][0]["source"] == "employee-handbook.md"
    for c in d["citations"]:
        assert c["n"] in numbers and c["origin"] in {"model", "matched"} and c["source"]
    assert all(n not in numbers for n in d["invalid_citations"])
    assert isinstance(d["uncited_sentences"], list)
    # The context was budgeted in the model's own tokens: llama.cpp's count proves it fitted.
    s = rt.settings.llm
    assert 0 < a.usage.prompt_tokens <= s.window - s.max_tokens and not a.usage.counted
    assert a.timings_ms["llm_first_token"] <= a.timings_ms["llm_total"]


def test_embedded_streaming_and_token_counts_agree_with_llama_cpp(rt: Runtime) -> None:
    llm = rt.llm
    short = "Say hello."
    long = "Say hello to the 27 robots in Lyon, Munich and Porto — twice!\n\nThen stop."
    counts = []
    for text in (short, long):
        c = complete(llm, [{"role": "user", "content": text}], Options(max_tokens=1))
        counts.append(c.usage.prompt_tokens)
    # Same chat-template overhead on both: the difference is the content's tokens, counted by us.
    assert counts[1] - counts[0] == rt.token_counter.count(long) - rt.token_counter.count(short)

    items = list(
        generate(llm, [{"role": "user", "content": "Count from one to five."}], Options(max_tokens=12))
    )
    *pieces, final = items
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert isinstance(final, Completion) and final.text == "".join(pieces)
    assert 0 < final.usage.completion_tokens <= 12 and final.first_token_ms is not None


def test_stopping_a_stream_early_stops_generation(rt: Runtime) -> None:
    stream = generate(rt.llm, [{"role": "user", "content": "Write a long story about robots."}], Options(200))
    first = next(stream)
    assert isinstance(first, str)
    stream.close()  # the consumer went away: llama.cpp is told to stop, the worker thread ends
    c = complete(rt.llm, [{"role": "user", "content": "Say yes."}], Options(max_tokens=3))
    assert c.text is not None  # the model is still usable afterwards
