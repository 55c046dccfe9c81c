"""``RagClient``: one method per thing a caller does, on one httpx client (keep-alive, one timeout)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from rag_client.errors import ApiError, raise_for
from rag_client.models import Answer, Document, Hit, Job
from rag_client.sse import events

FileArg = str | Path | tuple[str, bytes]


class RagClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``api_key``: sent as ``Authorization: Bearer``; ``transport``: httpx's (tests, proxies)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s, transport=transport)

    def __enter__(self) -> RagClient:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- documents -------------------------------------------------------------------------------------

    def upload(
        self,
        *files: FileArg,
        metadata: dict[str, Any] | None = None,
        wait: bool = True,
        timeout_s: float = 600.0,
    ) -> list[Job | None]:
        """Upload files (paths, or (name, bytes)); one job each (None for a file already indexed as it
        is). With ``wait`` the jobs are waited for (each ends ``indexed`` or ``failed`` with a reason)."""
        parts = [("files", _file(f)) for f in files]
        data = {"metadata": json.dumps(metadata)} if metadata else {}
        r = self._http.post("/v1/documents", params={"wait": "false"}, files=parts, data=data)
        raise_for(r)
        jobs = [Job.of(d["job"]) if d.get("job") else None for d in r.json()["documents"]]
        if not wait:
            return jobs
        done = {j.id: j for j in self.wait([j.id for j in jobs if j is not None], timeout_s)}
        return [done.get(j.id, j) if j is not None else None for j in jobs]

    def job(self, job_id: str) -> Job:
        r = self._http.get(f"/v1/jobs/{job_id}")
        raise_for(r)
        return Job.of(r.json())

    def wait(self, job_ids: Sequence[str], timeout_s: float = 600.0, every_s: float = 0.5) -> list[Job]:
        """The jobs once all finished; ``TimeoutError`` (naming the ones still running) after
        ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            jobs = [self.job(j) for j in job_ids]
            if all(j.finished for j in jobs):
                return jobs
            if time.monotonic() > deadline:
                running = ", ".join(f"{j.source} ({j.state})" for j in jobs if not j.finished)
                raise TimeoutError(f"jobs still running after {timeout_s:g} s: {running}")
            time.sleep(every_s)

    def documents(self, limit: int = 100, offset: int = 0) -> list[Document]:
        r = self._http.get("/v1/documents", params={"limit": limit, "offset": offset})
        raise_for(r)
        return [Document.of(d) for d in r.json()["items"]]

    def document(self, doc_id: str) -> Document:
        r = self._http.get(f"/v1/documents/{doc_id}")
        raise_for(r)
        return Document.of(r.json())

    def delete(self, doc_id: str) -> None:
        raise_for(self._http.delete(f"/v1/documents/{doc_id}"))

    # ---- questions ---------------------------------------------------------------------------------------

    def search(self, query: str, top_k: int | None = None, **options: Any) -> list[Hit]:
        """Retrieval only (no model); ``options``: mode, filters... as the API takes them."""
        body = {"query": query, **({"top_k": top_k} if top_k else {}), **options}
        r = self._http.post("/v1/search", json=body)
        raise_for(r)
        return [Hit.of(h) for h in r.json()["hits"]]

    def ask(self, question: str, conversation_id: str | None = None, **options: Any) -> Answer:
        """A cited answer (or a refusal saying why); ``conversation_id`` for a follow-up."""
        r = self._http.post("/v1/query", json=_question(question, conversation_id, options))
        raise_for(r)
        return Answer.of(r.json())

    def ask_stream(
        self, question: str, conversation_id: str | None = None, **options: Any
    ) -> Iterator[str | Answer]:
        """The answer as it is written: text pieces (``str``), then the whole ``Answer``. An error
        during the stream is raised as the ``ApiError`` it reports."""
        body = _question(question, conversation_id, options) | {"stream": True}
        with self._http.stream("POST", "/v1/query", json=body) as r:
            if r.status_code >= 400:
                r.read()
                raise_for(r)
            for event, text in events(r.iter_lines()):
                data = json.loads(text)
                if event == "token":
                    yield data.get("text", "")
                elif event == "answer":
                    yield Answer.of(data)
                elif event == "error":
                    raise ApiError(
                        int(data.get("status", 500)),
                        str(data.get("title", "error")),
                        str(data.get("detail", "")),
                        data,
                    )

    def feedback(self, trace_id: str, rating: int, comment: str = "") -> None:
        """Thumbs (-1/1), stars (1-5) or a comment (0) on an answer, by its ``trace_id``."""
        raise_for(
            self._http.post("/v1/feedback", json={"trace_id": trace_id, "rating": rating, "comment": comment})
        )


def _file(f: FileArg) -> tuple[str, bytes]:
    if isinstance(f, tuple):
        return f
    path = Path(f)
    return path.name, path.read_bytes()


def _question(question: str, conversation_id: str | None, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "question": question,
        **({"conversation_id": conversation_id} if conversation_id else {}),
        **options,
    }
