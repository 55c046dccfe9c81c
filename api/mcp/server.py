"""The MCP server's tools and resources over a Runtime. Every call is the caller's tenant's: the resolver
says who calls (over HTTP from the API key the request carried, on stdio the tenant ``rag mcp`` was
started for), and a document of another tenant is "not found", as in the HTTP API.

Our errors become tool errors (``isError``) with the same words as the API's problems; an unexpected
failure is a generic tool error, its details in the server log only."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, ListResourcesResult, Resource, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from api import problems
from api.mcp import render
from api.results import AnswerRecord, search_response
from api.schemas import (
    ID_PATTERN,
    MAX_OFFSET,
    QUESTION_CHARS,
    DocumentOut,
    DocumentPage,
    LanguageCode,
    MetadataKey,
    Scalar,
    SearchResponse,
)
from app.runtime import Runtime
from core.errors import DocumentNotFound, InvalidRequest, RagError
from ingest.registry import Status
from rag.conversation import Turn

log = logging.getLogger(__name__)

NAME = "rag-knowledge"
URI = "rag://documents/{document_id}"
RESOURCE_PAGE = 100
TRACE_METADATA = {"via": "mcp"}  # stored with every trace (as the CLI's say "cli")
INSTRUCTIONS = (
    "Answers and passages from the user's own document collection (their uploaded files). Use `ask` for "
    "a question you want answered with citations (it refuses when the documents do not say); `search` "
    "for the raw passages that match; `list_documents` and `get_document` to see which documents exist "
    "and read one. Quote the sources `ask` cites; do not add facts the documents do not state."
)


@dataclass(frozen=True)
class ToolScope:
    """Who calls: the runtime that answers and the tenant whose documents it may see."""

    runtime: Runtime
    tenant: str
    request_id: str | None = None


# The HTTP request the message came with (None on stdio) -> the caller; raises ToolError if unknown.
Resolver = Callable[[Any], ToolScope]

Question = Annotated[
    str,
    Field(
        min_length=1,
        max_length=QUESTION_CHARS,
        description="The question, in the user's words. A follow-up may refer to the conversation "
        "('and for part-timers?') when conversation_id or history is given.",
    ),
]
Query = Annotated[
    str,
    Field(min_length=1, max_length=QUESTION_CHARS, description="What to look for: a question or keywords."),
]
TopK = Annotated[
    int | None,
    Field(ge=1, le=100, description="How many passages to retrieve (default: the server's setting)."),
]
DocumentIds = Annotated[
    list[Annotated[str, Field(pattern=ID_PATTERN)]] | None,
    Field(max_length=1000, description="Only these documents (ids as list_documents gives them)."),
]
Metadata = Annotated[
    dict[MetadataKey, Scalar] | None,
    Field(description='Only chunks whose metadata has these values, e.g. {"team": "hr"}.'),
]
Languages = Annotated[
    list[LanguageCode] | None,
    Field(max_length=40, description='Only passages in these languages (ISO 639-1 codes: ["fr", "de"]).'),
]
DocumentId = Annotated[
    str, Field(pattern=ID_PATTERN, description="The document's id (from list_documents or search).")
]


class Exchange(BaseModel):
    """One earlier exchange of a chat the client keeps itself."""

    question: str = Field(min_length=1, max_length=QUESTION_CHARS)
    answer: str = Field("", max_length=20000)


class _Server(MCPServer):
    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        """Arguments that do not validate are named with what is wrong, in the API's words."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as e:
            if isinstance(e.__cause__, ValidationError):
                detail, _ = problems.validation_detail(e.__cause__.errors())  # type: ignore[arg-type]
                raise ToolError(f"invalid arguments: {detail}") from None
            raise


def build(
    resolve: Resolver,
    lifespan: Callable[[MCPServer], AbstractAsyncContextManager[Any]] | None = None,
) -> MCPServer:
    server = _Server(
        NAME, title="Your documents", instructions=INSTRUCTIONS, version="0.1.0", lifespan=lifespan
    )
    tools = _Tools(resolve)
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    for fn, title, notes in [
        (tools.search, "Search the documents", reads),
        (tools.ask, "Ask the documents", ToolAnnotations(open_world_hint=False)),  # it keeps a history
        (tools.list_documents, "List the documents", reads),
        (tools.get_document, "Read one document", reads),
    ]:
        server.add_tool(fn, title=title, description=inspect.cleandoc(fn.__doc__ or ""), annotations=notes)
    server.resource(
        URI,
        name="document",
        title="A document's text",
        description="One document's text: its chunks in order (neighbouring chunks overlap a little).",
        mime_type="text/plain",
    )(tools.read_document)
    server.middleware.append(_DocumentResources(resolve))
    return server


class _Tools:
    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    def scope(self, ctx: Context) -> ToolScope:
        return self.resolve(ctx.request_context.request)

    def search(
        self,
        query: Query,
        ctx: Context,
        top_k: TopK = None,
        mode: Annotated[
            Literal["hybrid", "dense", "sparse"] | None,
            Field(description="hybrid (default): meaning and keywords; dense: meaning; sparse: keywords."),
        ] = None,
        document_ids: DocumentIds = None,
        metadata: Metadata = None,
        languages: Languages = None,
    ) -> Annotated[CallToolResult, SearchResponse]:
        """Find the passages of the user's documents that match a query, best first, with their source
        file, pages and document id. No answer is written: use `ask` for a cited answer."""
        c = self.scope(ctx)
        with _as_tool_errors():
            found = c.runtime.retriever.search(
                query,
                tenant=c.tenant,
                top_k=top_k,
                mode=mode,
                doc_ids=document_ids or (),
                metadata=metadata,
                languages=languages or (),
            )
            trace_id = c.runtime.recorder.search(found, query, c.tenant, c.request_id, TRACE_METADATA)
        return render.search(search_response(found, trace_id, c.runtime.settings.chunking.max_chars))

    def ask(
        self,
        question: Question,
        ctx: Context,
        conversation_id: Annotated[
            str | None,
            Field(
                pattern=ID_PATTERN,
                description="Continue this conversation: the conversation_id an earlier ask returned.",
            ),
        ] = None,
        history: Annotated[
            list[Exchange] | None,
            Field(
                max_length=50,
                description="Or the earlier exchanges of a chat you keep yourself, oldest first: what "
                "a follow-up question refers to.",
            ),
        ] = None,
        top_k: TopK = None,
        document_ids: DocumentIds = None,
        metadata: Metadata = None,
        languages: Languages = None,
    ) -> Annotated[CallToolResult, render.AskResult]:
        """Answer a question from the user's documents, citing them: the answer with [n] markers, each
        source's file, pages and cited passage, and each sentence's verification against the sources.
        When the documents do not answer it, it refuses (refused: true, with the reason) rather than
        guess. Use it for questions about the user's own files (policies, manuals, notes, reports)."""
        c = self.scope(ctx)
        record = AnswerRecord(c.runtime.recorder, c.tenant, c.request_id, TRACE_METADATA, time.perf_counter())
        with _as_tool_errors():
            if conversation_id and history:
                raise InvalidRequest("give conversation_id or history, not both")
            pieces = c.runtime.answerer.stream(
                question,
                tenant=c.tenant,
                conversation_id=conversation_id,
                top_k=top_k,
                doc_ids=document_ids or (),
                metadata=metadata,
                languages=languages or (),
                history=[Turn.given(x.question, x.answer) for x in history] if history else None,
            )
            answer = record.first_answer(pieces)
        return render.ask(answer)

    def list_documents(
        self,
        ctx: Context,
        status: Annotated[
            Literal["indexing", "indexed", "failed", "deleting"] | None,
            Field(description="Only documents in this state (indexed: searchable)."),
        ] = None,
        source: Annotated[
            str | None, Field(max_length=1024, description="Only the document with this file name.")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=1000, description="At most this many.")] = 100,
        offset: Annotated[
            int, Field(ge=0, le=MAX_OFFSET, description="Skip this many (for the next page).")
        ] = 0,
    ) -> Annotated[CallToolResult, DocumentPage]:
        """List the user's documents: id, file name, format, state, number of chunks, metadata. Page
        with limit and offset (total says how many there are)."""
        c = self.scope(ctx)
        reg = c.runtime.registry
        state = Status(status) if status else None
        with _as_tool_errors():
            docs = reg.list(tenant=c.tenant, status=state, source=source, limit=limit, offset=offset)
            total = reg.count(tenant=c.tenant, status=state, source=source)
        items = [DocumentOut.model_validate(d, from_attributes=True) for d in docs]
        return render.documents(DocumentPage(items=items, total=total, limit=limit, offset=offset))

    def get_document(
        self,
        document_id: DocumentId,
        ctx: Context,
        chunk_offset: Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Skip this many chunks.")] = 0,
        chunk_limit: Annotated[int, Field(ge=1, le=1000, description="At most this many chunks.")] = 100,
    ) -> Annotated[CallToolResult, render.DocumentWithChunks]:
        """One document: its metadata (file name, format, state, size, dates) and the text of its chunks
        in order, with their pages and sections. The whole text is also the resource
        rag://documents/{document_id}."""
        c = self.scope(ctx)
        with _as_tool_errors():
            doc = _document(c, document_id)
            chunks = c.runtime.store.chunks(c.tenant, document_id)
        return render.document(
            render.DocumentWithChunks(
                document=DocumentOut.model_validate(doc, from_attributes=True),
                chunks=[render.chunk_text(x) for x in chunks[chunk_offset : chunk_offset + chunk_limit]],
                chunk_total=len(chunks),
                chunk_offset=chunk_offset,
            )
        )

    def read_document(self, document_id: str, ctx: Context) -> str:
        """The resource rag://documents/{document_id}."""
        c = self.scope(ctx)
        try:  # a resource's error is a protocol error: not found, or what failed
            _document(c, document_id)
            chunks = c.runtime.store.chunks(c.tenant, document_id)
        except DocumentNotFound as e:
            raise ResourceNotFoundError(_told(e)) from None
        except RagError as e:
            raise ResourceError(_told(e)) from None
        return render.document_text([render.chunk_text(x) for x in chunks])


class _DocumentResources:
    """resources/list: the caller's searchable documents, a page of RESOURCE_PAGE at a time (the SDK
    lists only resources registered up front, the same for everyone)."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Any]) -> Any:
        if ctx.method != "resources/list":
            return await call_next(ctx)
        cursor = (ctx.params or {}).get("cursor")
        offset = int(cursor) if isinstance(cursor, str) and cursor.isdigit() and len(cursor) < 10 else 0
        caller = self.resolve(ctx.request)
        docs = await anyio.to_thread.run_sync(
            lambda: caller.runtime.registry.list(
                tenant=caller.tenant, status=Status.INDEXED, limit=RESOURCE_PAGE + 1, offset=offset
            )
        )
        more = len(docs) > RESOURCE_PAGE
        return ListResourcesResult(
            resources=[
                Resource(
                    uri=URI.format(document_id=d.id),
                    name=d.source,
                    title=d.source,
                    description=f"{d.format or 'document'}, {d.chunk_count} chunks",
                    mime_type="text/plain",
                    size=d.size_bytes,
                )
                for d in docs[:RESOURCE_PAGE]
            ],
            next_cursor=str(offset + RESOURCE_PAGE) if more else None,
        )


def _document(c: ToolScope, doc_id: str) -> Any:
    doc = c.runtime.registry.get(c.tenant, doc_id)
    if doc is None:
        raise DocumentNotFound(f"no document {doc_id!r}")
    return doc


@contextmanager
def _as_tool_errors() -> Iterator[None]:
    """Our errors as tool errors, in the words of the API's problems (``api.problems.told``); anything
    else is left to the SDK, which answers a generic tool error (the details in our log: it logs it)."""
    try:
        yield
    except RagError as e:
        raise ToolError(_told(e)) from None


def _told(e: RagError) -> str:
    _, title, detail = problems.reported(e)
    return f"{title}: {detail}"
