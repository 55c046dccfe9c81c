"""What the MCP tools return, made from our records without I/O: the structured content (the models
below, published as each tool's output schema) and the same as text a model reads (the citations with
their source, pages and passage, a refusal with its reason, the verification marks, the trace id)."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from api.citations import passage, where
from api.schemas import DocumentOut, DocumentPage, SearchResponse
from rag.answer import Answer


class CitedSource(BaseModel):
    n: int = Field(description="The number the answer cites it by: [n].")
    source: str = Field(description="The document's file name.")
    doc_id: str
    pages: list[int]
    section: str
    chunk_id: str
    passage: str = Field(description="The cited sentence from the source (else the chunk's opening).")


class SentenceMark(BaseModel):
    text: str
    verdict: str = Field(description="supported, contradicted, unsupported or unverifiable.")


class Marks(BaseModel):
    """Each sentence of the answer checked against its sources."""

    counts: dict[str, int]
    failed: bool = Field(description="Some sentence is contradicted or unsupported by its sources.")
    sentences: list[SentenceMark]


class Refusal(BaseModel):
    reason: str = Field(description="no_hits, low_confidence, unanswerable, llm, unsupported, no_evidence...")
    message: str


class AskResult(BaseModel):
    answer: str
    refused: bool
    refusal: Refusal | None
    citations: list[CitedSource]
    verification: Marks | None
    policy: str | None = Field(description="kept, flagged, evidence (quotes instead of a draft) or refused.")
    standalone_question: str = Field(description="The question as searched (a follow-up made standalone).")
    conversation_id: str = Field(description="Pass it back to ask a follow-up in this conversation.")
    trace_id: str


class ChunkText(BaseModel):
    chunk_index: int | None
    pages: list[int]
    section: str
    text: str


class DocumentWithChunks(BaseModel):
    document: DocumentOut
    chunks: list[ChunkText]
    chunk_total: int
    chunk_offset: int


def result(text: str, structured: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured.model_dump(mode="json"),
    )


def ask(answer: Answer) -> CallToolResult:
    citations = [
        CitedSource(
            n=c.n,
            source=c.source.hit.source,
            doc_id=c.source.hit.doc_id,
            pages=c.source.hit.pages,
            section=c.source.hit.section,
            chunk_id=c.source.hit.chunk_id,
            passage=passage(answer, c.source.hit),
        )
        for c in (answer.citations.citations if answer.citations else [])
    ]
    v = answer.verification
    marks = (
        Marks(
            counts=v.counts(),
            failed=v.failed,
            sentences=[SentenceMark(text=s.text, verdict=s.verdict) for s in v.sentences],
        )
        if v is not None
        else None
    )
    out = AskResult(
        answer=answer.text,
        refused=answer.refused,
        refusal=Refusal(**answer.refusal.to_dict()) if answer.refusal else None,
        citations=citations,
        verification=marks,
        policy=answer.policy,
        standalone_question=answer.standalone_question,
        conversation_id=answer.conversation_id,
        trace_id=answer.trace_id,
    )
    return result(_ask_text(out), out)


def _ask_text(out: AskResult) -> str:
    if out.refusal is not None:
        lines = [f"Not answered ({out.refusal.reason}): {out.refusal.message}"]
        if out.answer and out.answer != out.refusal.message:
            lines += ["", out.answer]
    else:
        lines = [out.answer]
    if out.citations:
        lines += ["", "Sources:"]
        lines += [f'[{c.n}] {where(c.source, c.pages, c.section)}: "{c.passage}"' for c in out.citations]
    if out.verification is not None and out.verification.sentences:
        counts = ", ".join(f"{n} {verdict}" for verdict, n in out.verification.counts.items() if n)
        lines += ["", f"Verification of its sentences against the sources: {counts}."]
        lines += [
            f'- {s.verdict.upper()}: "{s.text}"'
            for s in out.verification.sentences
            if s.verdict in ("contradicted", "unsupported")
        ]
    lines += [
        "",
        f"trace_id: {out.trace_id}",
        f"conversation_id: {out.conversation_id} (pass it to ask for a follow-up question)",
    ]
    return "\n".join(lines)


def search(response: dict[str, Any]) -> CallToolResult:
    out = SearchResponse.model_validate(response)
    if not out.hits:
        return result("No passage of your documents matches.", out)
    blocks = [
        f"[{h.rank}] {where(h.source, h.pages, h.section)} (document {h.doc_id}, score {h.score:.3f})\n"
        + h.text.strip()
        for h in out.hits
    ]
    return result("\n\n".join([*blocks, f"trace_id: {out.trace_id}"]), out)


def documents(page: DocumentPage) -> CallToolResult:
    if not page.items:
        text = f"No documents (total {page.total}, offset {page.offset})."
    else:
        lines = [
            f"- {d.id}: {d.source} ({d.format or 'unknown format'}, {d.status}, {d.chunk_count} chunks, "
            f"updated {d.updated_at})"
            for d in page.items
        ]
        shown = f"{page.offset + 1}-{page.offset + len(page.items)} of {page.total}"
        more = (
            f"; pass offset={page.offset + len(page.items)} for more"
            if page.offset + len(page.items) < page.total
            else ""
        )
        text = f"Documents {shown}{more}:\n" + "\n".join(lines)
    return result(text, page)


def document(out: DocumentWithChunks) -> CallToolResult:
    d = out.document
    head = [
        f"{d.source} (document {d.id})",
        f"format {d.format or 'unknown'}, status {d.status}, {d.size_bytes} bytes, {d.chunk_count} chunks, "
        f"updated {d.updated_at}",
    ]
    if d.metadata:
        head.append("metadata: " + ", ".join(f"{k}={v}" for k, v in d.metadata.items()))
    if d.error:
        head.append(f"error: {d.error}")
    end = out.chunk_offset + len(out.chunks)
    if out.chunks:
        head.append(f"chunks {out.chunk_offset + 1}-{end} of {out.chunk_total}:")
    if end < out.chunk_total:
        head.append(f"(pass chunk_offset={end} for the rest)")
    body = [
        f"[chunk {c.chunk_index}] {where('', c.pages, c.section).strip()}".rstrip() + f"\n{c.text}"
        for c in out.chunks
    ]
    return result("\n\n".join(["\n".join(head), *body]), out)


def chunk_text(chunk: dict[str, Any]) -> ChunkText:
    return ChunkText(
        chunk_index=chunk.get("chunk_index"),
        pages=chunk.get("pages") or [],
        section=chunk.get("section") or "",
        text=chunk.get("text") or "",
    )


def document_text(chunks: list[ChunkText]) -> str:
    """A document as one text: its chunks in order (neighbours overlap by the chunker's overlap)."""
    return "\n\n".join(c.text for c in chunks)
