"""Request and response models of the OpenAI-compatible endpoints (api.routes.openai_compat): the subset
of OpenAI's chat-completions API a chat client sends, plus our own fields (``citations``, ``refused``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str = ""


class ChatMessage(BaseModel):
    # Clients send more than we use (name, tool calls): ignored, not refused.
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatRequest(BaseModel):
    # Sampling settings (temperature, max_tokens, ...) are the server's (RAG_LLM__*): accepted and ignored.
    model_config = ConfigDict(extra="ignore")
    model: str = Field("rag", max_length=200, description="A model from GET /v1/models.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    stream_options: StreamOptions | None = None


class ChatChoice(BaseModel):
    index: int
    message: dict[str, str]
    finish_reason: str


class ChatUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage
    citations: list[dict[str, Any]] = Field(description="As in POST /v1/query, with the quoted passage.")
    refused: bool
    refusal: dict[str, str] | None = Field(description="Why there is no answer: reason and message.")
    trace_id: str = Field(description="For POST /v1/feedback and the traces.")


class ModelOut(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str
    description: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelOut]
