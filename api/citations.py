"""An answer's sources as a reader sees them, the same on every way in (the OpenAI-compatible footnotes,
the MCP tools, the chat page mirrors it in chat-answer.js): where a source is (file, pages, section) and
the passage it was cited for. Pure functions of the answer record."""

from __future__ import annotations

from core.types import Hit
from rag.answer import Answer

PASSAGE_CHARS = 300


def where(source: str, pages: list[int], section: str = "") -> str:
    """``employee-handbook.md, pp. 3-5, 7 (Leave)``"""
    return ", ".join(x for x in (source, pages_text(pages)) if x) + (f" ({section})" if section else "")


def pages_text(pages: list[int]) -> str:
    """[3] -> p. 3; [3, 4, 5, 7] -> pp. 3-5, 7 (consecutive pages as one run)."""
    runs: list[list[int]] = []
    for p in sorted(set(pages)):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    if not runs:
        return ""
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"p. {text}" if len(pages) == 1 else f"pp. {text}"


def passage(answer: Answer, hit: Hit, limit: int = PASSAGE_CHARS) -> str:
    """The evidence sentence from the cited chunk, else the chunk's opening, on one line."""
    text = next((e.text for e in answer.evidence if e.chunk_id == hit.chunk_id), hit.text)
    return _clip(" ".join(text.split()), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
