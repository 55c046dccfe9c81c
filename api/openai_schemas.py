"""Request and response models of the OpenAI-compatible endpoints (api.routes.openai_compat): the subset
of OpenAI's chat-completions API a chat client sends, plus our own fields (``citations``, ``refused``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

# A message's text at most: an earlier answer, a pasted passage or a system prompt fits; the question
# itself (the last user message) is held to the same bound as POST /v1/query's.
MESSAGE_CHARS = 20_000


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = Field(max_length=64)
    text: str = Field("", max_length=MESSAGE_CHARS)


class ChatMessage(BaseModel):
    # Clients send more than we use (name, tool calls): ignored, not refused.
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | Annotated[list[TextPart], Field(max_length=100)] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text for p in self.content if p.type == "text")
        return self.content or ""

    @model_validator(mode="after")
    def _bounded(self) -> ChatMessage:
        if len(self.text) > MESSAGE_CHARS:
            raise ValueError(f"a message has at most {MESSAGE_CHARS} characters of text")
        return self


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatRequest(BaseModel):
    # Sampling settings (temperature, max_tokens, ...) are the server's (RAG_LLM__*): accepted and ignored.
    model_config = ConfigDict(extra="ignore")
    model: str = Field("rag", max_length=200, description="A model from GET /v1/models.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: StrictBool = False
    n: int = Field(1, ge=1, le=1, description="One choice: the answer.")
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
