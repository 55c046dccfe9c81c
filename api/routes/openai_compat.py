"""OpenAI-compatible chat completions and models, so chat clients (Open WebUI, the ``openai`` SDK, ...)
can ask the documents: the messages become the conversation (the last user message is the question, the
earlier user/assistant turns the history the rewrite step sees), answered by the same path as
POST /v1/query (guardrails, refusal, verification, traces). The citations arrive as markdown footnotes in
the content and as a ``citations`` field; a refusal is an ordinary assistant message saying why, with
``refused: true``. Errors keep our problem-details shape, which the SDK surfaces as an APIError."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.citations import passage, where
from api.deps import Caller, ServicesDep
from api.openai_schemas import ChatCompletion, ChatMessage, ChatRequest, ModelList, ModelOut
from api.problems import ApiProblem
from api.results import AnswerRecord
from api.schemas import QUESTION_CHARS
from api.services import Services
from api.sse import Events, event, event_stream, raw
from core.errors import InvalidRequest
from rag.answer import Answer
from rag.cite import MARKER
from rag.conversation import Turn

log = logging.getLogger(__name__)


class _ProblemWithMessage(APIRoute):
    """Our problem details, plus ``message`` (the detail): where OpenAI's SDKs read an error's text."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as e:
                handler = next(
                    (h for c in type(e).__mro__ if (h := request.app.exception_handlers.get(c))), None
                )
                if handler is None:
                    raise
                response = await handler(request, e)
                body = json.loads(bytes(response.body))
                headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
                return JSONResponse(
                    body | {"message": body.get("detail", "")},
                    status_code=response.status_code,
                    headers=headers,
                    media_type=response.media_type,
                )

        return route


router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=_ProblemWithMessage)

DEFAULT_MODEL = "rag"
_PREFIX = DEFAULT_MODEL + ":"
_OPEN_MARKER = re.compile(r"\[[\d,;\s]*$")  # a marker the stream has not finished yet


@router.get("/models", response_model=ModelList, summary="Models (OpenAI-compatible)")
def models(services: ServicesDep, _: Caller) -> dict:
    created = int(time.time())
    return {"object": "list", "data": [_model(m, d, created) for m, d in _models(services).items()]}


@router.get("/models/{model_id}", response_model=ModelOut, summary="One model (OpenAI-compatible)")
def get_model(services: ServicesDep, _: Caller, model_id: str) -> dict:
    return _model(model_id, _described(services, model_id), int(time.time()))


def _model(mid: str, description: str, created: int) -> dict:
    return {
        "id": mid,
        "object": "model",
        "created": created,
        "owned_by": "rag-knowledge",
        "description": description,
    }


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="Chat completions (OpenAI-compatible)",
    description="With stream=true: `chat.completion.chunk` events ending with `data: [DONE]`.",
)
def chat_completions(services: ServicesDep, caller: Caller, body: ChatRequest, request: Request):  # noqa: ANN201 - JSON or SSE
    t0 = time.perf_counter()
    prompt = _prompt_of(services, body.model)
    question, history = _conversation(body.messages)
    pieces = services.runtime.answerer.stream(question, tenant=caller.tenant, prompt=prompt, history=history)
    request_id = request.headers.get("x-request-id")
    record = AnswerRecord(services.runtime.recorder, caller.tenant, request_id, {}, t0)
    cid = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())
    if body.stream:
        usage = bool(body.stream_options and body.stream_options.include_usage)
        notes = _Footnoter(services.runtime.settings.answer.max_sources)
        chunks = _chunks(pieces, record, notes, cid, created, body.model, usage)
        return event_stream(chunks, services.runtime.settings.api.sse_ping_s)
    answer = record.first_answer(pieces)
    message = {"role": "assistant", "content": footnoted(answer.text) + _suffix(answer)}
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": _usage(answer),
        **_extra(answer),
    }


def _models(services: Services) -> dict[str, str]:
    """``rag`` (the configured prompt, or the A/B draw) and one ``rag:name@version`` per answer template."""
    prompts = services.runtime.answerer.prompts
    out = {DEFAULT_MODEL: "Answers from your documents with the configured prompt (RAG_ANSWER__PROMPT)."}
    for tid in prompts.ids():
        template = prompts.get(tid)
        if set(template.variables) == {"sources", "question"}:  # an answer template, not the rewrite's
            out[_PREFIX + tid] = f"Answers with the prompt template {tid}: {template.description}".strip()
    return out


def _described(services: Services, model: str) -> str:
    """The model's description; a 404 naming the known models if there is no such model."""
    known = _models(services)
    if model not in known:
        raise ApiProblem(404, "model not found", f"known models: {', '.join(known)}; not {model[:100]!r}")
    return known[model]


def _prompt_of(services: Services, model: str) -> str | None:
    _described(services, model)
    return model.removeprefix(_PREFIX) if model != DEFAULT_MODEL else None


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message, and the user/assistant exchanges before it (system messages are ours)."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].text.strip():
        raise InvalidRequest("the messages need to end with a user message that asks something")
    if len(turns[-1].text) > QUESTION_CHARS:
        raise InvalidRequest(
            f"the question (the last user message) has more than {QUESTION_CHARS} characters"
        )
    history: list[Turn] = []
    for m in turns[:-1]:
        if m.role == "user":
            history.append(Turn.given(m.text[:QUESTION_CHARS]))
        elif history:  # an assistant's reply to the question before it
            history[-1].answer += m.text
    return turns[-1].text, history


def footnoted(text: str, most: int | None = None) -> str:
    """The answer's citation markers as markdown footnote references: [1, 3] -> [^1][^3]. ``most``: the
    highest number a source can have; a bracket with a higher one ("in [2024]") is not a marker."""

    def reference(m: re.Match) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
        if most is not None and max(numbers) > most:
            return m.group(0)
        return "".join(f"[^{n}]" for n in numbers)

    return MARKER.sub(reference, text)


def _suffix(answer: Answer) -> str:
    """What follows the answer's text: why it was refused, or its sources as footnotes."""
    if answer.refusal is not None:
        return f"\n\n{answer.refusal.message}"
    if answer.citations is None or not answer.citations.citations:
        return ""
    hits = [(c.n, c.source.hit) for c in answer.citations.citations]
    lines = [f'[^{n}]: {where(h.source, h.pages, h.section)} — "{passage(answer, h)}"' for n, h in hits]
    return "\n\n" + "\n".join(lines)


def _usage(answer: Answer) -> dict[str, int]:
    u = answer.usage
    return {
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "total_tokens": u.prompt_tokens + u.completion_tokens,
    }


def _extra(answer: Answer) -> dict[str, Any]:
    citations = []
    if answer.citations is not None:
        cited = answer.citations.citations
        citations = [c.to_dict() | {"passage": passage(answer, c.source.hit)} for c in cited]
    return {
        "citations": citations,
        "refused": answer.refused,
        "refusal": answer.refusal.to_dict() if answer.refusal else None,
        "trace_id": answer.trace_id,
    }


class _Footnoter:
    """``footnoted`` over a stream: a marker split across pieces ("[", "1]") is held until it closes."""

    def __init__(self, most: int) -> None:
        """``most``: the most sources a prompt has (RAG_ANSWER__MAX_SOURCES). The final text drops markers
        that cite no source, but what was streamed cannot be taken back: a higher number is left as
        written rather than made a footnote that leads nowhere."""
        self.most = most
        self.held = ""
        self.sent = ""  # the answer's text as streamed, before the markers were rewritten

    def feed(self, piece: str) -> str:
        text = self.held + piece
        self.sent += piece
        open_marker = _OPEN_MARKER.search(text)
        cut = open_marker.start() if open_marker else len(text)
        self.held = text[cut:]
        return footnoted(text[:cut], self.most)

    def finish(self, final: str) -> str:
        """The rest: what is held, and whatever the final text adds to what was streamed (a held-back
        answer, a cut marker); a final text that differs is logged, as the stream cannot take words back."""
        rest, self.held = self.held, ""
        if final.startswith(self.sent):
            rest += final[len(self.sent) :]
        else:
            log.warning("the streamed answer differs from the final one; the stream keeps what was sent")
        return footnoted(rest, self.most)


def _chunks(
    pieces: Iterator,
    record: AnswerRecord,
    notes: _Footnoter,
    cid: str,
    created: int,
    model: str,
    include_usage: bool,
) -> Events:
    def chunk(delta: dict, finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
        return event(obj | {"choices": [choice]} | extra)

    try:
        yield chunk({"role": "assistant", "content": ""})
        for item in pieces:
            if isinstance(item, Answer):
                record.answered(item)
                rest = notes.finish(item.text) + _suffix(item)
                if rest:
                    yield chunk({"content": rest})
                yield chunk({}, "stop", **_extra(item))
                if include_usage:
                    obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
                    yield event(obj | {"choices": [], "usage": _usage(item)})
            elif text := notes.feed(item):
                yield chunk({"content": text})
    except GeneratorExit:
        record.abandoned()
        raise
    except Exception as e:  # noqa: BLE001 - the outermost boundary of a stream: the failure is an event
        problem = record.stream_failed(e)
        # "error" is where OpenAI's clients look for it.
        error = {"message": problem["detail"], "type": problem["title"], "code": problem["status"]}
        yield event(problem | {"error": error})
    yield raw("[DONE]")
