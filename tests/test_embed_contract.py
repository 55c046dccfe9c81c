"""One contract, three embedders: ONNX int8 (the default), sentence-transformers on torch (the reference)
and the in-process fake (tests/fakes.py) that fast tests use in their place. Every test here runs on all
three, so a test passing on the fake says something about the real ones."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import MODEL_NAME
from core.encode.dense import Embedder, SentenceTransformerEmbedder, packaged_model_path
from core.encode.onnx import OnnxEmbedder
from core.errors import EmbeddingError
from fakes import FakeEmbedder

ADAPTERS = ["onnx-int8", "torch", "fake"]


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(params=ADAPTERS)
def any_embedder(request: pytest.FixtureRequest) -> Embedder:
    name = {"onnx-int8": "embedder", "torch": "torch_embedder", "fake": "fake_embedder"}[request.param]
    return request.getfixturevalue(name)


@pytest.fixture(params=ADAPTERS)
def fresh(request: pytest.FixtureRequest, onnx_cache: Path) -> Callable[..., Embedder]:
    """A new, unloaded instance of the adapter; ``fresh(broken=True)`` one that cannot load or embed."""

    def make(broken: bool = False) -> Embedder:
        model = Path(request.getfixturevalue("tmp_path")) if broken else packaged_model_path()
        if request.param == "onnx-int8":
            return OnnxEmbedder(model, MODEL_NAME, cache_dir=onnx_cache, threads=1)
        if request.param == "torch":
            return SentenceTransformerEmbedder(model, MODEL_NAME, threads=1)
        return FakeEmbedder(fail_on="" if broken else None)

    return make


def test_embeddings_are_normalised_float32_of_the_declared_dim_and_meaningful(any_embedder) -> None:
    vecs = any_embedder.embed_documents(
        ["The robot charges on its dock.", "Charging the robot takes ninety minutes.", "Hotel caps in Paris."]
    )
    assert vecs.shape == (3, any_embedder.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert isinstance(any_embedder.model_name, str) and isinstance(any_embedder.backend, str)


def test_query_and_document_paths_agree(any_embedder) -> None:
    q = any_embedder.embed_query("battery warranty")
    d = any_embedder.embed_documents(["battery warranty"])[0]
    assert q.shape == (any_embedder.dim,)
    assert np.allclose(q, d, atol=1e-6)


def test_deterministic(any_embedder) -> None:
    texts = ["The dock charger costs 3200 euros.", "Report a security incident within 1 hour."]
    assert np.array_equal(any_embedder.embed_documents(texts), any_embedder.embed_documents(texts))


def test_a_batch_is_its_texts_one_by_one_in_order(any_embedder) -> None:
    texts = [
        "short",
        "a much longer sentence about robots docking on their chargers at night",
        "mid length text",
        "short",
    ]
    together = any_embedder.embed_documents(texts)
    alone = np.stack([any_embedder.embed_query(t) for t in texts])
    # Dynamic int8 quantises activations per batch, so batch company moves ONNX vectors a little (a
    # one-word text padded beside a 15-token one: cosine 0.978 to itself alone); each row stays its own.
    assert np.diag(together @ alone.T).min() >= 0.97
    assert ((together @ alone[:3].T).argmax(axis=1) == [0, 1, 2, 0]).all()


def test_empty_batch_and_empty_text(any_embedder) -> None:
    assert any_embedder.embed_documents([]).shape == (0, any_embedder.dim)
    v = any_embedder.embed_query("")
    assert np.isfinite(v).all() and np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)


def test_huge_text_is_cut_to_the_window_not_refused(any_embedder) -> None:
    """Only the first ``max_seq_length`` tokens count: two long texts differing after them embed alike."""
    head = " ".join(f"robot{i % 50} dock" for i in range(2000))
    a, b = any_embedder.embed_query(head + " apples"), any_embedder.embed_query(head + " pears and plums")
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(a, b, atol=1e-6)


def test_concurrent_callers_get_what_they_would_alone(any_embedder) -> None:
    texts = [f"question {i} about the warranty of robot {i}" for i in range(4)]
    alone = {t: any_embedder.embed_query(t) for t in texts}
    got: dict[str, np.ndarray] = {}
    errors: list[BaseException] = []

    def ask(t: str) -> None:
        try:
            got[t] = any_embedder.embed_query(t)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion below
            errors.append(e)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(np.allclose(got[t], alone[t], atol=1e-6) for t in texts)


def test_constructing_loads_nothing_and_the_first_call_loads(fresh) -> None:
    e = fresh()
    assert not e.loaded
    e.warm_up()
    assert e.loaded


def test_failures_are_embedding_errors_that_say_why(fresh) -> None:
    e = fresh(broken=True)
    with pytest.raises(EmbeddingError) as raised:
        e.embed_documents(["anything"])
    message = str(raised.value)
    assert message and "Error" not in message and " at 0x" not in message


# ---- the packaged model -------------------------------------------------------------------------------


def test_model_files_come_from_site_packages() -> None:
    path = packaged_model_path()
    assert "site-packages" in str(path)
    assert (path / "model.safetensors").exists()


def test_loading_opens_no_connection() -> None:
    """The default test run refuses non-loopback sockets (pytest-socket); a fresh load must pass."""
    e = SentenceTransformerEmbedder(
        packaged_model_path(), "sentence-transformers/all-MiniLM-L6-v2", threads=1
    )
    assert e.embed_query("hello").shape == (384,)
