"""The packaged model loads and embeds offline."""

from __future__ import annotations

import numpy as np
import pytest

from core.encode.dense import SentenceTransformerEmbedder, packaged_model_path


def test_model_files_come_from_site_packages() -> None:
    path = packaged_model_path()
    assert "site-packages" in str(path)
    assert (path / "model.safetensors").exists()


@pytest.fixture(params=["onnx-int8", "torch"])
def any_embedder(request: pytest.FixtureRequest, embedder, torch_embedder):
    return embedder if request.param == "onnx-int8" else torch_embedder


def test_embeddings_are_normalised_384d_and_meaningful(any_embedder) -> None:
    embedder = any_embedder
    vecs = embedder.embed_documents(
        ["The robot charges on its dock.", "Charging the robot takes ninety minutes.", "Hotel caps in Paris."]
    )
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


def test_query_and_document_paths_agree(any_embedder) -> None:
    embedder = any_embedder
    q = embedder.embed_query("battery warranty")
    d = embedder.embed_documents(["battery warranty"])[0]
    assert np.allclose(q, d, atol=1e-6)


def test_empty_batch(any_embedder) -> None:
    assert any_embedder.embed_documents([]).shape == (0, 384)


def test_loading_opens_no_connection() -> None:
    """The default test run refuses non-loopback sockets (pytest-socket); a fresh load must pass."""
    e = SentenceTransformerEmbedder(
        packaged_model_path(), "sentence-transformers/all-MiniLM-L6-v2", threads=1
    )
    assert e.embed_query("hello").shape == (384,)
