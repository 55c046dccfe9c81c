"""Defuse: text we put into a prompt (retrieved chunks, the question, the conversation) can never speak
as the prompt's own structure.

Two kinds of strings are neutralised:

- **special tokens**: the chat-template markers of the model in use (its tokenizer's control tokens, for
  the embedded SmolLM2 ``<|im_start|>``, ``<|im_end|>``, ``<|endoftext|>``, ``<filename>`` ...) and those
  of the other families an OpenAI-compatible endpoint may run (``CHAT_MARKERS``: Llama 2/3, Mistral,
  Gemma, Phi, DeepSeek/Qwen, reasoning and tool-call tags). llama.cpp, vLLM and Ollama tokenize the
  rendered prompt with special-token parsing on, so such a string in a document becomes a real turn
  boundary and the document writes its own system prompt;
- **our own tags**: ``<source`` and ``</source``, which delimit retrieved text in the prompt.

Matching runs on a normalised shadow of the text: NFKC (full-width ``＜｜`` are ``<|``), zero-width, format
and combining characters dropped, a few lookalikes of ``< > / |`` and of the letters of "source" folded,
case ignored, and whitespace tolerated between the characters of a marker. So ``< source``,
``＜/source＞``, ``<so\\u200burce>`` and ``<| im_end |>`` are all caught. A match is replaced by the marker
in its plain form with every ``<`` turned into ``‹`` and every ``[`` into ``⁅`` (``<|im_end|>`` becomes
``‹|im_end|>``): the model still reads it as text, and no tokenizer has that as a special token.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

log = logging.getLogger(__name__)

# Chat-template markers of the common model families (written as their tokenizers spell them). The
# generic ``<|...|>`` pattern below covers every marker of that shape (ChatML, Llama 3, Phi, Command-R,
# Granite, OpenAI's harmony, DeepSeek's ``<｜...｜>`` after NFKC); these are the other shapes.
CHAT_MARKERS: tuple[str, ...] = (
    # ChatML / Qwen / SmolLM, Llama 3, Phi (also matched by the generic pattern; listed as documentation)
    "<|im_start|>",
    "<|im_end|>",
    "<|im_sep|>",
    "<|endoftext|>",
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|python_tag|>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|end|>",
    # Llama 2 / Mistral
    "[INST]",
    "[/INST]",
    "<<SYS>>",
    "<</SYS>>",
    "<s>",
    "</s>",
    "<unk>",
    "[SYSTEM_PROMPT]",
    "[/SYSTEM_PROMPT]",
    "[TOOL_CALLS]",
    "[AVAILABLE_TOOLS]",
    "[/AVAILABLE_TOOLS]",
    "[TOOL_RESULTS]",
    "[/TOOL_RESULTS]",
    # Gemma
    "<bos>",
    "<eos>",
    "<pad>",
    "<start_of_turn>",
    "<end_of_turn>",
    "<start_of_image>",
    "<end_of_image>",
    # DeepSeek (full-width bars and U+2581 as its tokenizer writes them)
    "<｜begin▁of▁sentence｜>",
    "<｜end▁of▁sentence｜>",
    "<｜User｜>",
    "<｜Assistant｜>",
    # Reasoning and tool calling (Qwen, DeepSeek, Hermes, Llama)
    "<think>",
    "</think>",
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
    "<tools>",
    "</tools>",
    "<function_calls>",
    "</function_calls>",
)

# Our own delimiters (rag.prompt.context): a prefix, whatever follows it.
OWN_TAGS: tuple[str, ...] = ("<source", "</source")

# Any <|name|>: every ChatML-like marker, known or not.
_GENERIC = r"<\s*\|[^|<>\n]{1,64}\|\s*>"
_ESCAPE = str.maketrans({"<": "‹", "[": "⁅"})
# Characters that read as < > / | or as a letter of "source" but are none of them, even after NFKC.
# ‹ and ⁅ (what markers become) are deliberately not here: a defused marker must stay defused.
_LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys("〈⟨˂ᐸ❮⧼", "<"),
        **dict.fromkeys("〉⟩˃ᐳ❯⧽", ">"),
        **dict.fromkeys("∕⁄⧸", "/"),
        **dict.fromkeys("ǀ∣│❘", "|"),
        **dict.fromkeys("ѕ", "s"),
        **dict.fromkeys("оοᴏ", "o"),
        **dict.fromkeys("սυᴜ", "u"),
        **dict.fromkeys("гᴦ", "r"),
        **dict.fromkeys("сϲᴄ", "c"),
        **dict.fromkeys("еҽ", "e"),
    }
)
_IGNORED = {"Cf", "Mn", "Me"}  # format (zero-width, bidi), non-spacing and enclosing marks
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that print as nothing
_MAX_PASSES = 8


class Defuser:
    """Neutralises chat-template markers and our own tags; ``extra`` are the model's special tokens."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        literals: set[str] = set()
        for token in (*CHAT_MARKERS, *extra):
            plain = _shadow(token)[0]
            if len(plain) >= 3 and plain[0] in "<[":
                literals.add(plain)
            elif token:
                # A special token that does not open with < or [ cannot be defused by an escape that keeps
                # it readable; none of the families we know has one.
                log.debug("special token %r is not defused: it does not start with < or [", token)
        self.markers = tuple(sorted(literals))
        # Longest first, so "</source" wins over "</s>" and "<<SYS>>" over "<s>".
        parts = [_spaced(m) for m in sorted(literals | set(OWN_TAGS), key=len, reverse=True)]
        self._pattern = re.compile("|".join([_GENERIC, *parts]), re.IGNORECASE)

    def __call__(self, text: str) -> str:
        return self.defuse(text)

    def defuse(self, text: str) -> str:
        # Each pass only turns < and [ into other characters, so a few passes reach a fixed point; a second
        # pass is needed only when escaping one marker made another one (whitespace dropped inside it).
        for _ in range(_MAX_PASSES):
            out = self._once(text)
            if out == text:
                return out
            text = out
        return text

    def _once(self, text: str) -> str:
        if text.isascii() and "<" not in text and "[" not in text:
            return text
        shadow, origin = _shadow(text)
        pieces: list[str] = []
        pos = 0
        for m in self._pattern.finditer(shadow):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            if start < pos:  # two matches inside one original character's expansion
                continue
            pieces.append(text[pos:start])
            pieces.append("".join(m.group(0).split()).translate(_ESCAPE))
            pos = end
        if not pieces:
            return text
        pieces.append(text[pos:])
        return "".join(pieces)


def _spaced(marker: str) -> str:
    """A pattern for ``marker`` that tolerates whitespace between its characters."""
    return r"\s*".join(re.escape(c) for c in marker)


def _shadow(text: str) -> tuple[str, list[int]]:
    """The text as markers are matched in, and for each of its characters the index it came from."""
    if text.isascii():
        return text, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        if c.isascii():
            chars.append(c)
            origin.append(i)
            continue
        if c in _FILLERS:
            continue
        for n in unicodedata.normalize("NFKC", c).translate(_LOOKALIKES):
            if unicodedata.category(n) not in _IGNORED:
                chars.append(n)
                origin.append(i)
    return "".join(chars), origin


DEFAULT = Defuser()
