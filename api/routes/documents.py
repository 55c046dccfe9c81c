"""Documents: upload (a job per file), replace, list, get, chunks, delete. Every call is the caller's
tenant's: another tenant's document is "not found", never "forbidden".

Uploads are streamed into the blob directory (hashed on the way, never held in memory) and checked
against the size limit here; ``ingest.uploads`` turns them into jobs within the tenant's storage quota.
"""

from __future__ import annotations

import json
import time
import unicodedata
from contextlib import ExitStack
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from api.deps import Caller, ServicesDep, Started, wait_budget
from api.problems import ApiProblem
from api.schemas import (
    MAX_OFFSET,
    ChunkPage,
    DocumentFlags,
    DocumentOut,
    DocumentPage,
    JobOut,
    UploadItem,
    UploadResponse,
)
from api.services import Services
from core.errors import DocumentNotFound, FileTooLarge, InvalidRequest, UnsupportedFormat
from ingest.blobs import Incoming
from ingest.guard import flagged_chunks
from ingest.parse import format_of
from ingest.registry import Status
from ingest.uploads import Accepted
from rag.retrieve import check_metadata

router = APIRouter(prefix="/v1/documents", tags=["documents"])

Files = Annotated[
    list[UploadFile], File(description="One or more files (PDF, DOCX, PPTX, HTML, MD, TXT, CSV, JSON, EML).")
]
MetadataForm = Annotated[
    str | None, Form(description='JSON object of scalar values, e.g. {"team": "hr"}; stored on every chunk.')
]
Wait = Annotated[
    bool,
    Query(
        description="Wait for the jobs to finish (up to RAG_API__WAIT_TIMEOUT_S, and always less than the "
        "request timeout): 200 when they all ended, else 202 with their states so far."
    ),
]
# Of the request timeout, what ?wait=true leaves for answering: at least 1 s, at most 10 s.
# Characters a file name loses: controls (NUL, newlines), format characters (bidi overrides and
# isolates, zero-width ones), surrogates, line and paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


@router.post("", status_code=202, response_model=UploadResponse, summary="Upload documents")
def upload_documents(
    services: ServicesDep,
    caller: Caller,
    started: Started,
    response: Response,
    files: Files,
    metadata: MetadataForm = None,
    wait: Wait = False,
) -> UploadResponse:
    s = services.runtime.settings
    if len(files) > s.api.max_files_per_upload:
        raise ApiProblem(422, "too many files", f"at most {s.api.max_files_per_upload} files per upload")
    meta = _metadata(metadata)
    # Check every file before keeping any: a request is accepted or refused as a whole.
    names = [_name(f) for f in files]
    if len(set(names)) != len(names):
        raise ApiProblem(422, "duplicate file names", "each file of one upload needs its own name")
    with ExitStack() as received:  # temporary files not kept are removed on the way out
        incoming = [_receive(services, f, received) for f in files]
        accepted = services.uploads.submit(caller.tenant, list(zip(names, incoming, strict=True)), meta)
    return _maybe_wait(services, [_item(a) for a in accepted], wait, response, started)


@router.put(
    "/{doc_id}", status_code=202, response_model=UploadResponse, summary="Replace a document's content"
)
def replace_document(
    services: ServicesDep,
    caller: Caller,
    started: Started,
    doc_id: str,
    response: Response,
    file: Annotated[UploadFile, File()],
    metadata: MetadataForm = None,
    wait: Wait = False,
) -> UploadResponse:
    existing = _document(services, caller.tenant, doc_id)
    new_format = format_of(_name(file))
    if new_format != existing.format and existing.format:
        raise ApiProblem(
            415, "format differs", f"{existing.source} is {existing.format}; the replacement is {new_format}"
        )
    meta = _metadata(metadata) if metadata is not None else existing.metadata
    with ExitStack() as received:  # submit looks again, under the document's lock: a delete may be first
        inc = _receive(services, file, received)
        accepted = services.uploads.submit(caller.tenant, [(existing.source, inc)], meta, doc_id=doc_id)
    return _maybe_wait(services, [_item(a) for a in accepted], wait, response, started)


@router.get("", response_model=DocumentPage, summary="List documents")
def list_documents(
    services: ServicesDep,
    caller: Caller,
    status: Annotated[Status | None, Query(description="Only documents in this state.")] = None,
    source: Annotated[
        str | None, Query(max_length=1024, description="Only the document with this name.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DocumentPage:
    reg = services.runtime.registry
    docs = reg.list(tenant=caller.tenant, status=status, source=source, limit=limit, offset=offset)
    total = reg.count(tenant=caller.tenant, status=status, source=source)
    return DocumentPage(
        items=[DocumentOut.model_validate(d, from_attributes=True) for d in docs],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{doc_id}", response_model=DocumentOut, summary="One document")
def get_document(services: ServicesDep, caller: Caller, doc_id: str) -> DocumentOut:
    return DocumentOut.model_validate(_document(services, caller.tenant, doc_id), from_attributes=True)


@router.get("/{doc_id}/chunks", response_model=ChunkPage, summary="A document's chunks")
def get_chunks(services: ServicesDep, caller: Caller, doc_id: str) -> ChunkPage:
    _document(services, caller.tenant, doc_id)
    chunks = services.runtime.store.chunks(caller.tenant, doc_id)
    hidden = {"tenant", "embedding_model", "embedding_dim"}
    return ChunkPage(
        document_id=doc_id, items=[{k: v for k, v in c.items() if k not in hidden} for c in chunks]
    )  # type: ignore[misc]


@router.get(
    "/{doc_id}/flags", response_model=DocumentFlags, summary="A document's chunks flagged as prompt injection"
)
def get_flags(services: ServicesDep, caller: Caller, doc_id: str) -> DocumentFlags:
    _document(services, caller.tenant, doc_id)
    chunks = services.runtime.store.chunks(caller.tenant, doc_id)
    return DocumentFlags(document_id=doc_id, flagged=flagged_chunks(chunks))  # type: ignore[arg-type]


@router.delete("/{doc_id}", status_code=204, summary="Delete a document and its chunks")
def delete_document(services: ServicesDep, caller: Caller, doc_id: str) -> Response:
    # Under the document's lock, as uploads and replacements take it: a job cannot be created between
    # finding none and deleting (its replacement would bring the document back).
    with services.uploads.locks.hold(caller.tenant, [doc_id]):
        # Jobs first: a document's first job has no document row yet, and it is busy, not missing.
        active = services.jobs.active_for(caller.tenant, doc_id)
        if active is not None:
            raise ApiProblem(
                409,
                "document busy",
                f"job {active.id} for this document is {active.state.value}; delete the document when "
                f"it ends, or cancel it first (POST /v1/jobs/{active.id}/cancel)",
                job=active.id,
            )
        _document(services, caller.tenant, doc_id)
        if not services.runtime.delete_document(caller.tenant, doc_id):
            raise DocumentNotFound(f"no document {doc_id!r}")
    return Response(status_code=204)


def _document(services: Services, tenant: str, doc_id: str):  # noqa: ANN202 - DocRecord
    doc = services.runtime.registry.get(tenant, doc_id)
    if doc is None:
        raise DocumentNotFound(f"no document {doc_id!r}")
    return doc


def clean_name(raw: str) -> str:
    """A client's file name as we keep it: no directories, no control or invisible characters (NUL,
    newlines, bidi overrides and isolates, zero-width ones), NFC-normalised, trimmed."""
    name = "".join(c for c in raw if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = unicodedata.normalize("NFC", name)  # after: a dropped character may sit inside a pair
    return PureWindowsPath(PurePosixPath(name).name).name.strip()  # no directories from the client


def _name(f: UploadFile) -> str:
    name = clean_name(f.filename or "")
    if not name:
        raise ApiProblem(
            422,
            "file name missing",
            "every uploaded file needs a file name of visible characters",
        )
    if len(name) > 255:
        raise ApiProblem(422, "file name too long", "file names are limited to 255 characters")
    try:
        format_of(name)
    except UnsupportedFormat as e:  # its message names the supported types
        raise ApiProblem(415, "unsupported file type", str(e)) from e
    return name


def _receive(services: Services, f: UploadFile, received: ExitStack) -> Incoming:
    """Stream an uploaded file into the blob directory; removed on leaving ``received`` unless kept."""
    limit = services.runtime.settings.ingest.max_file_bytes
    try:
        inc = services.blobs.receive(f.file, limit)
    except FileTooLarge as e:
        raise ApiProblem(
            413,
            "file too large",
            f"{clean_name(f.filename or '')} is over the limit of {limit / 1048576:.1f} MiB "
            "(RAG_INGEST__MAX_FILE_MB)",
            reason=e.reason,
        ) from e
    received.callback(services.blobs.discard, inc)
    return inc


def _metadata(raw: str | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ApiProblem(422, "invalid metadata", f"metadata is not JSON: {e}") from e
    except (ValueError, RecursionError) as e:  # a number of thousands of digits; nesting past the stack
        raise ApiProblem(422, "invalid metadata", "metadata is nested too deep or holds a huge number") from e
    if not isinstance(meta, dict) or not all(isinstance(v, str | int | bool) for v in meta.values()):
        raise ApiProblem(
            422, "invalid metadata", "metadata must be a JSON object of strings, integers and booleans"
        )
    try:
        check_metadata(meta, "metadata")
    except InvalidRequest as e:
        raise ApiProblem(422, "invalid metadata", str(e)) from e
    return meta


def _item(a: Accepted) -> UploadItem:
    job = JobOut.model_validate(a.job, from_attributes=True) if a.job is not None else None
    return UploadItem(document_id=a.doc_id, source=a.source, status=a.status, job=job)  # type: ignore[arg-type]


def _maybe_wait(
    services: Services, items: list[UploadItem], wait: bool, response: Response, started: float
) -> UploadResponse:
    if not wait:
        return UploadResponse(documents=items)
    api = services.runtime.settings.api
    budget = wait_budget(api.wait_timeout_s, api.request_timeout_s, time.monotonic() - started)
    ids = [i.job.id for i in items if i.job is not None]
    done = {j.id: j for j in services.runner.wait(ids, budget)}
    out = []
    for item in items:
        if item.job is not None and item.job.id in done:
            job = done[item.job.id]
            item = UploadItem(
                document_id=item.document_id,
                source=item.source,
                status=job.state.value,
                job=JobOut.model_validate(job, from_attributes=True),
            )  # type: ignore[arg-type]
        out.append(item)
    if all(i.job is None or i.job.state in ("indexed", "failed") for i in out):
        response.status_code = 200
    return UploadResponse(documents=out)
