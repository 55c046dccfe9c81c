"""LLM adapters behind one port (``rag.llm.base.LLM``), chosen by settings in ``app.runtime``."""

from rag.llm.base import LLM, Completion, Message, Usage

__all__ = ["LLM", "Completion", "Message", "Usage"]
