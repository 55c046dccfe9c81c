"""Prompts as a llama.cpp-style server sees them: SmolLM2's ChatML rendering, tokenized with special-token
parsing on, cut into turns at the special tokens. For the tests of rag.prompt.defuse."""

from __future__ import annotations

import json
from collections.abc import Iterable

from tokenizers import AddedToken, Tokenizer

from rag.llm.tokens import GgufTokenCounter


def chatml(messages: list[dict[str, str]]) -> str:
    """The prompt as llama.cpp renders SmolLM2's chat template (GGUF ``tokenizer.chat_template``)."""
    turns = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return turns + "<|im_start|>assistant\n"


def tokenizers(counter: GgufTokenCounter, markers: Iterable[str] = ()) -> tuple[Tokenizer, Tokenizer]:
    """(with special-token parsing, without): the GGUF's BPE with its control tokens plus ``markers`` as
    special tokens (as an endpoint's tokenizer of that family has them), and the bare BPE that reads every
    one of them as text."""
    on = Tokenizer.from_str(counter._tokenizer.to_str())
    on.add_special_tokens([AddedToken(m, special=True) for m in markers])
    bare = json.loads(counter._tokenizer.to_str())
    bare["added_tokens"] = []
    return on, Tokenizer.from_str(json.dumps(bare))


def special_ids(on: Tokenizer, prompt: str) -> list[int]:
    specials = set(on.get_added_tokens_decoder())
    return [i for i in on.encode(prompt, add_special_tokens=False).ids if i in specials]


def turns(on: Tokenizer, prompt: str) -> list[str]:
    """The prompt cut at its special tokens: the structure the model sees."""
    specials = set(on.get_added_tokens_decoder())
    out: list[str] = []
    current: list[int] = []
    for i in on.encode(prompt, add_special_tokens=False).ids:
        if i in specials:
            out.append(on.decode(current))
            current = []
        else:
            current.append(i)
    out.append(on.decode(current))
    return [t for t in out if t.strip()]
