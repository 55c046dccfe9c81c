"""LLM adapters behind one port (``rag.llm.base.LLM``: one method, ``stream``), chosen by settings in
``app.runtime``; ``generate`` and ``complete`` are derived from it once, for every adapter."""

from rag.llm.base import LLM, Completion, Delta, Message, Options, Usage, complete, generate

__all__ = ["LLM", "Completion", "Delta", "Message", "Options", "Usage", "complete", "generate"]
