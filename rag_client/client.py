"""``RagClient``: one method per thing a caller does, on one httpx client (keep-alive, one timeout).
Every method raises only ``RagClientError``s (rag_client.errors): ids and the key are checked before
anything is sent, httpx's failures and responses not of the API's form are mapped too."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from rag_client.errors import (
    ConnectionFailed,
    InvalidArgument,
    SyncFailed,
    UnexpectedResponse,
    WaitTimedOut,
    error_for,
    raise_for,
)
from rag_client.models import Answer, Document, Hit, Job, SourceSync
from rag_client.sse import events

FileArg = str | Path | tuple[str, bytes]
T = TypeVar("T")

# The API's ids (api/schemas.py ID_PATTERN, copied: the client imports nothing of the service).
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# What an HTTP header value can carry of a key: printable ASCII, no whitespace.
_KEY = re.compile(r"[!-~]+")


class RagClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``api_key``: sent as ``Authorization: Bearer``; ``transport``: httpx's (tests, proxies).
        ``InvalidArgument`` (a ``ValueError``) for a key no header can carry or a URL that is none."""
        if api_key and not (isinstance(api_key, str) and _KEY.fullmatch(api_key)):
            raise InvalidArgument(
                "an API key has only printable ASCII characters (letters, digits, punctuation), "
                "no spaces or line breaks: this one cannot be sent"
            )
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        try:
            self._http = httpx.Client(
                base_url=base_url, headers=headers, timeout=timeout_s, transport=transport
            )
        except (httpx.InvalidURL, TypeError) as e:
            raise InvalidArgument(f"not a base URL: {base_url!r} ({e})") from e

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
        data = {"metadata": _json_text(metadata)} if metadata else {}
        r = self._send("POST", "/v1/documents", params={"wait": "false"}, files=parts, data=data)
        jobs = _parsed(r, lambda d: [Job.of(i["job"]) if i.get("job") else None for i in d["documents"]])
        if not wait:
            return jobs
        done = {j.id: j for j in self.wait([j.id for j in jobs if j is not None], timeout_s)}
        return [done.get(j.id, j) if j is not None else None for j in jobs]

    def job(self, job_id: str) -> Job:
        return _parsed(self._send("GET", f"/v1/jobs/{_segment(job_id, 'job id')}"), Job.of)

    def wait(self, job_ids: Sequence[str], timeout_s: float = 600.0, every_s: float = 0.5) -> list[Job]:
        """The jobs once all finished; ``WaitTimedOut`` (a ``TimeoutError``, naming the ones still
        running) after ``timeout_s``."""
        for j in job_ids:
            _segment(j, "job id")
        deadline = time.monotonic() + timeout_s
        while True:
            jobs = [self.job(j) for j in job_ids]
            if all(j.finished for j in jobs):
                return jobs
            if time.monotonic() > deadline:
                running = ", ".join(f"{j.source} ({j.state})" for j in jobs if not j.finished)
                raise WaitTimedOut(f"jobs still running after {timeout_s:g} s: {running}")
            time.sleep(every_s)

    def documents(self, limit: int = 100, offset: int = 0) -> list[Document]:
        r = self._send("GET", "/v1/documents", params={"limit": limit, "offset": offset})
        return _parsed(r, lambda d: [Document.of(i) for i in d["items"]])

    def document(self, doc_id: str) -> Document:
        return _parsed(self._send("GET", f"/v1/documents/{_segment(doc_id, 'document id')}"), Document.of)

    def delete(self, doc_id: str) -> None:
        self._send("DELETE", f"/v1/documents/{_segment(doc_id, 'document id')}")

    def sync_site(
        self,
        url: str,
        max_depth: int | None = None,
        max_pages: int | None = None,
        timeout_s: float | None = None,
        every_s: float = 1.0,
    ) -> SourceSync:
        """Crawl a website into this key's tenant: its new and changed pages ingested, pages gone since
        the last sync of ``url`` deleted (limits: at most the server's). Waits for the sync, which the
        server runs in the background, as long as it takes or ``timeout_s``: ``SyncFailed`` when it
        fails, ``WaitTimedOut`` past ``timeout_s`` (it goes on on the server; ``Conflict`` for a new sync
        of the site until it ends)."""
        body: dict[str, Any] = {"url": url}
        body |= {k: v for k, v in (("max_depth", max_depth), ("max_pages", max_pages)) if v is not None}
        r = self._send("POST", "/v1/sources", json=body)
        run = _parsed(r, _sync_run)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while run["state"] == "running":
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimedOut(f"sync {run['id']} of {url} still running after {timeout_s:g} s")
            time.sleep(every_s)
            r = self._send("GET", f"/v1/sources/syncs/{_segment(run['id'], 'sync id')}")
            run = _parsed(r, _sync_run)
        if run["state"] == "failed":
            raise SyncFailed(run)
        return _parsed(r, lambda d: SourceSync.of(d["report"]))

    # ---- questions ---------------------------------------------------------------------------------------

    def search(self, query: str, top_k: int | None = None, **options: Any) -> list[Hit]:
        """Retrieval only (no model); ``options``: mode, filters... as the API takes them."""
        body = {"query": query, **({"top_k": top_k} if top_k else {}), **options}
        return _parsed(self._send("POST", "/v1/search", json=body), lambda d: [Hit.of(h) for h in d["hits"]])

    def ask(self, question: str, conversation_id: str | None = None, **options: Any) -> Answer:
        """A cited answer (or a refusal saying why); ``conversation_id`` for a follow-up."""
        r = self._send("POST", "/v1/query", json=_question(question, conversation_id, options))
        return _parsed(r, Answer.of)

    def ask_stream(
        self, question: str, conversation_id: str | None = None, **options: Any
    ) -> Iterator[str | Answer]:
        """The answer as it is written: text pieces (``str``), then the whole ``Answer``. An error
        event during the stream is raised as the ``ApiError`` its status stands for (as ``ask`` would
        raise it); a stream that ends before its answer, as an ``UnexpectedResponse``."""
        body = _question(question, conversation_id, options) | {"stream": True}
        request = self._request("POST", "/v1/query", json=body)
        try:
            r = self._http.send(request, stream=True)
            try:
                if r.status_code >= 400:
                    r.read()
                    raise_for(r)
                for event, text in events(r.iter_lines()):
                    if event not in ("token", "answer", "error"):
                        continue
                    data = _parsed_text(r, text, _object)
                    if event == "token":
                        yield str(data.get("text", ""))
                    elif event == "answer":
                        yield _parsed_text(r, text, Answer.of)
                        return
                    else:
                        raise _stream_error(data)
                raise UnexpectedResponse(
                    r.status_code, "the answer stream ended without an answer (nor an error saying why)"
                )
            finally:
                r.close()
        except httpx.HTTPError as e:
            raise _failed(request, e) from e

    def feedback(self, trace_id: str, rating: int, comment: str = "") -> None:
        """Thumbs (-1/1), stars (1-5) or a comment (0) on an answer, by its ``trace_id``."""
        self._send("POST", "/v1/feedback", json={"trace_id": trace_id, "rating": rating, "comment": comment})

    # ---- one exchange ------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Request:
        try:
            return self._http.build_request(method, path, **kwargs)
        except (TypeError, ValueError) as e:  # a body json cannot encode, a bad parameter
            raise InvalidArgument(f"the request cannot be encoded: {e}") from e

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response to a request; an ``ApiError`` for a 4xx/5xx, ``ConnectionFailed`` for no response."""
        request = self._request(method, path, **kwargs)
        try:
            response = self._http.send(request)
        except httpx.HTTPError as e:
            raise _failed(request, e) from e
        raise_for(response)
        return response


def _sync_run(d: Any) -> dict[str, Any]:
    if not isinstance(d, dict) or not isinstance(d.get("id"), str) or "state" not in d:
        raise KeyError("a sync's id and state")
    return d


def _segment(value: object, what: str) -> str:
    """An id as one URL path segment: of the API's form (else ``InvalidArgument``, nothing sent), and
    percent-encoded all the same; never "." nor "..", which a URL resolves to another path."""
    if not isinstance(value, str) or not _ID.fullmatch(value) or value in (".", ".."):
        raise InvalidArgument(
            f"{what} {value!r} is not one: ids are 1 to 64 letters, digits, '_', '-' or '.'"
        )
    return quote(value, safe="")


def _failed(request: httpx.Request, error: httpx.HTTPError) -> ConnectionFailed:
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    return ConnectionFailed(f"{request.method} {request.url} {kind}: {error or 'no detail'}")


def _parsed(response: httpx.Response, build: Callable[[Any], T]) -> T:
    return _parsed_text(response, None, build)


def _parsed_text(response: httpx.Response, text: str | None, build: Callable[[Any], T]) -> T:
    """``build`` of the JSON in ``text`` (a stream's event), or in the response's body; an
    ``UnexpectedResponse`` saying what came back when it is not JSON or not of the expected shape."""
    where = f"{response.request.method} {response.request.url.path} answered {response.status_code}"
    body = response.text if text is None else text
    try:
        data = json.loads(body)
    except ValueError as e:
        kind = response.headers.get("content-type", "no content type")
        shown = body.strip()[:200] or "an empty body"
        raise UnexpectedResponse(response.status_code, f"{where} with {kind}, not JSON: {shown!r}") from e
    try:
        return build(data)
    except (LookupError, TypeError, ValueError, AttributeError) as e:
        wrong = f"no field {e.args[0]!r}" if isinstance(e, KeyError) and e.args else str(e)
        shown = json.dumps(data)[:200]
        raise UnexpectedResponse(
            response.status_code, f"{where} with JSON not of the API's form ({wrong}): {shown}"
        ) from e


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("an event's data is a JSON object")
    return data


def _stream_error(data: dict[str, Any]) -> Exception:
    try:
        status = int(data.get("status", 500))
    except (TypeError, ValueError):
        status = 500
    return error_for(status, str(data.get("title") or "error"), str(data.get("detail") or ""), data)


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as e:
        raise InvalidArgument(f"metadata is not JSON: {e}") from e


def _file(f: FileArg) -> tuple[str, bytes]:
    if isinstance(f, tuple):
        return f
    path = Path(f)
    try:
        return path.name, path.read_bytes()
    except OSError as e:
        raise InvalidArgument(f"cannot read {str(path)!r}: {e.strerror or e}") from e


def _question(question: str, conversation_id: str | None, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "question": question,
        **({"conversation_id": conversation_id} if conversation_id else {}),
        **options,
    }
