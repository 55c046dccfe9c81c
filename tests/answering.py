"""An Answerer over the sample documents (the ``kb`` fixture) with a scripted LLM, for the answer-path test
modules: the loopback server through the OpenAI-compatible adapter, or the in-process fake (tests/fakes.py)
as it is, where a test needs only "an LLM" and not HTTP."""

from __future__ import annotations

from pathlib import Path

import fakes
from app.runtime import Runtime
from core.settings import AnswerSettings, GuardrailSettings, LlmSettings
from llm_server import ScriptedLLM
from rag.answer import Answerer
from rag.guardrails import AnswerGuards
from rag.llm.base import LLM
from rag.llm.openai_chat import OpenAIChat


def answerer(
    kb: Runtime,
    server: ScriptedLLM | fakes.ScriptedLLM,
    tmp_path: Path,
    answer: dict | None = None,
    guardrails: dict | None = None,
    **llm,
) -> Answerer:
    """The knowledge base's retriever, embedder, prompts and answerability model, the scripted LLM, and
    answer and guardrail settings as given (conversations in tmp_path)."""
    if isinstance(server, fakes.ScriptedLLM):
        # The same settings as with the server: the answer path reads the budget and limits from them.
        llm_settings = LlmSettings(base_url="http://fake.invalid/v1", model=server.model, **llm)
        server.context_window = llm_settings.window
        server.count_tokens = kb.token_counter.count  # budgeted as the adapters budget
        model: LLM = server
    else:
        llm_settings = LlmSettings(
            base_url=server.base_url, model="scripted", max_retries=0, timeout_s=5, **llm
        )
        model = OpenAIChat(
            base_url=server.base_url,
            model="scripted",
            api_key=None,
            timeout_s=5,
            max_retries=0,
            context_window=llm_settings.window,
            count_tokens=kb.token_counter.count,
        )
    return Answerer(
        retriever=kb.retriever,
        embedder=kb.embedder,
        llm=model,
        prompts=kb.prompts,
        conversations=type(kb.conversations)(f"sqlite:///{tmp_path / 'conv.sqlite'}"),
        answerability=kb.answerability,
        guards=AnswerGuards(GuardrailSettings(**(guardrails or {})), kb.embedder),
        settings=AnswerSettings(**(answer or {})),
        llm_settings=llm_settings,
        max_hit_chars=kb.settings.chunking.max_chars,
    )
