"""A scripted OpenAI-compatible chat-completions server on loopback: queued replies, recorded requests.

Each queued reply is either a JSON completion, an SSE stream of pieces, or an HTTP error, optionally
after a delay. The real ``openai`` SDK talks to it over real HTTP, so retries, timeouts and streaming
are exercised as they would be against vLLM or Ollama.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    stream: list[str] | None = None  # pieces for an SSE reply
    usage: tuple[int, int] | None = (50, 10)  # (prompt, completion); None: the reply carries no usage
    delay_s: float = 0.0
    pause_s: float = 0.0  # between the pieces of an SSE reply: a stream a client sees arrive in steps
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "scripted failure"
    finish_reason: str = "stop"  # "length": the model stopped at max_tokens


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        return self.body["messages"]


class ScriptedLLM:
    """``with ScriptedLLM() as llm: llm.queue(Reply("..."))``; ``llm.base_url`` for the SDK."""

    def __init__(self, default: Reply | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self.default = default
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def queue(self, *replies: Reply) -> ScriptedLLM:
        self.replies.extend(replies)
        return self

    def __enter__(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        if self.default is None:
            return Reply(status=500, error="no scripted reply left")
        return self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append(
                    Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                reply = outer._next()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    self._json(
                        reply.status, {"error": {"message": reply.error, "type": "scripted"}}, reply.headers
                    )
                elif body.get("stream"):
                    self._sse(body, reply)
                else:
                    self._json(200, _completion(body, reply), reply.headers)

            def _json(self, status: int, obj: dict, headers: dict[str, str]) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, body: dict, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = reply.stream if reply.stream is not None else [reply.text]
                for i, piece in enumerate(pieces):
                    if i and reply.pause_s:
                        time.sleep(reply.pause_s)
                    self._event(_chunk(body, {"content": piece}, None))
                self._event(_chunk(body, {}, reply.finish_reason))
                if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
                    final = _chunk(body, {}, None)
                    final["choices"] = []
                    final["usage"] = _usage(reply)
                    self._event(final)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, obj: dict) -> None:
                self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _usage(reply: Reply) -> dict[str, int]:
    assert reply.usage is not None
    p, c = reply.usage
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _completion(body: dict, reply: Reply) -> dict:
    out = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
    }
    if reply.usage:
        out["usage"] = _usage(reply)
    return out


def _chunk(body: dict, delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
