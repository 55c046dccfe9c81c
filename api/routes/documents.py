"""Documents: upload (a job per file), replace, list, get, chunks, delete. Every call is the caller's
tenant's: another tenant's document is "not found", never "forbidden"."""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from api.deps import Caller, ServicesDep
from api.problems import ApiProblem
from api.schemas import ChunkPage, DocumentOut, DocumentPage, UploadItem, UploadResponse
from api.services import Services
from ingest.parse import FORMATS, format_of
from ingest.pipeline import document_id
from ingest.registry import Status
from rag.errors import DocumentNotFound, UnsupportedFormat
from rag.retrieve import METADATA_KEY

router = APIRouter(prefix="/v1/documents", tags=["documents"])

Files = Annotated[
    list[UploadFile], File(description="One or more files (PDF, DOCX, PPTX, HTML, MD, TXT, CSV, JSON, EML).")
]
MetadataForm = Annotated[
    str | None, Form(description='JSON object of scalar values, e.g. {"team": "hr"}; stored on every chunk.')
]
Wait = Annotated[bool, Query(description="Wait for the jobs to finish (up to RAG_API__WAIT_TIMEOUT_S).")]


@router.post("", status_code=202, response_model=UploadResponse, summary="Upload documents")
def upload(
    services: ServicesDep,
    caller: Caller,
    response: Response,
    files: Files,
    metadata: MetadataForm = None,
    wait: Wait = False,
) -> UploadResponse:
    s = services.runtime.settings
    if len(files) > s.api.max_files_per_upload:
        raise ApiProblem(422, "too many files", f"at most {s.api.max_files_per_upload} files per upload")
    meta = _metadata(metadata)
    # Check every file before storing any: a request is accepted or refused as a whole.
    received = [(_name(f), _read(f, s.ingest.max_file_bytes)) for f in files]
    names = [n for n, _ in received]
    if len(set(names)) != len(names):
        raise ApiProblem(422, "duplicate file names", "each file of one upload needs its own name")
    items = [_submit(services, caller.tenant, name, data, meta, doc_id=None) for name, data in received]
    return _maybe_wait(services, items, wait, response)


@router.put(
    "/{doc_id}", status_code=202, response_model=UploadResponse, summary="Replace a document's content"
)
def replace(
    services: ServicesDep,
    caller: Caller,
    doc_id: str,
    response: Response,
    file: Annotated[UploadFile, File()],
    metadata: MetadataForm = None,
    wait: Wait = False,
) -> UploadResponse:
    existing = _document(services, caller.tenant, doc_id)
    data = _read(file, services.runtime.settings.ingest.max_file_bytes)
    new_format = format_of(_name(file))
    if new_format != existing.format and existing.format:
        raise ApiProblem(
            415, "format differs", f"{existing.source} is {existing.format}; the replacement is {new_format}"
        )
    meta = _metadata(metadata) if metadata is not None else existing.metadata
    item = _submit(services, caller.tenant, existing.source, data, meta, doc_id=doc_id)
    return _maybe_wait(services, [item], wait, response)


@router.get("", response_model=DocumentPage, summary="List documents")
def list_documents(
    services: ServicesDep,
    caller: Caller,
    status: Annotated[Status | None, Query(description="Only documents in this state.")] = None,
    source: Annotated[
        str | None, Query(max_length=1024, description="Only the document with this name.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DocumentPage:
    reg = services.runtime.registry
    docs = reg.list(tenant=caller.tenant, status=status, source=source, limit=limit, offset=offset)
    total = reg.count(tenant=caller.tenant, status=status, source=source)
    return DocumentPage(
        items=[DocumentOut(**d.to_dict()) for d in docs], total=total, limit=limit, offset=offset
    )


@router.get("/{doc_id}", response_model=DocumentOut, summary="One document")
def get_document(services: ServicesDep, caller: Caller, doc_id: str) -> DocumentOut:
    return DocumentOut(**_document(services, caller.tenant, doc_id).to_dict())


@router.get("/{doc_id}/chunks", response_model=ChunkPage, summary="A document's chunks")
def get_chunks(services: ServicesDep, caller: Caller, doc_id: str) -> ChunkPage:
    _document(services, caller.tenant, doc_id)
    chunks = services.runtime.store.chunks(caller.tenant, doc_id)
    hidden = {"tenant", "embedding_model", "embedding_dim"}
    return ChunkPage(
        document_id=doc_id, items=[{k: v for k, v in c.items() if k not in hidden} for c in chunks]
    )  # type: ignore[misc]


@router.delete("/{doc_id}", status_code=204, summary="Delete a document and its chunks")
def delete_document(services: ServicesDep, caller: Caller, doc_id: str) -> Response:
    _document(services, caller.tenant, doc_id)
    if services.jobs.active_for(caller.tenant, doc_id) is not None:
        raise ApiProblem(
            409, "document busy", "a job for this document is still running; delete it when it ends"
        )
    if not services.runtime.delete_document(caller.tenant, doc_id):
        raise DocumentNotFound(f"no document {doc_id!r}")
    return Response(status_code=204)


def _document(services: Services, tenant: str, doc_id: str):  # noqa: ANN202 - DocRecord
    doc = services.runtime.registry.get(tenant, doc_id)
    if doc is None:
        raise DocumentNotFound(f"no document {doc_id!r}")
    return doc


def _name(f: UploadFile) -> str:
    raw = f.filename or ""
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip()  # no directories from the client
    if not name:
        raise ApiProblem(422, "file name missing", "every uploaded file needs a file name")
    if len(name) > 255:
        raise ApiProblem(422, "file name too long", "file names are limited to 255 characters")
    try:
        format_of(name)
    except UnsupportedFormat as e:
        raise ApiProblem(
            415, "unsupported file type", f"{e} (supported: {', '.join(sorted(FORMATS))})"
        ) from e
    return name


def _read(f: UploadFile, limit: int) -> bytes:
    data = f.file.read(limit + 1)
    if len(data) > limit:
        raise ApiProblem(
            413,
            "file too large",
            f"{f.filename} is over the limit of {limit / 1048576:.1f} MiB (RAG_INGEST__MAX_FILE_MB)",
        )
    return data


def _metadata(raw: str | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ApiProblem(422, "invalid metadata", f"metadata is not JSON: {e}") from e
    if not isinstance(meta, dict) or not all(isinstance(v, str | int | bool) for v in meta.values()):
        raise ApiProblem(
            422, "invalid metadata", "metadata must be a JSON object of strings, integers and booleans"
        )
    bad = [k for k in meta if not METADATA_KEY.fullmatch(k)]
    if bad:
        raise ApiProblem(
            422, "invalid metadata", f"metadata keys must be 1-64 letters, digits, '_' or '-': {bad!r}"
        )
    return meta


def _submit(
    services: Services, tenant: str, name: str, data: bytes, meta: dict[str, Any], doc_id: str | None
) -> UploadItem:
    did = doc_id or document_id(tenant, name)
    existing = services.runtime.registry.get(tenant, did)
    digest = services.blobs.put(data)
    if (
        existing is not None
        and existing.status == Status.INDEXED
        and existing.content_hash == digest
        and existing.metadata == meta
    ):
        return UploadItem(document_id=did, source=name, status="unchanged", job=None)
    active = services.jobs.active_for(tenant, did)
    if active is not None and active.blob == digest and active.metadata == meta:
        return UploadItem(document_id=did, source=name, status=active.state.value, job=active.to_dict())  # type: ignore[arg-type]
    job = services.jobs.create(tenant, did, name, digest, meta)
    services.runner.submit(job)
    return UploadItem(document_id=did, source=name, status="queued", job=job.to_dict())  # type: ignore[arg-type]


def _maybe_wait(
    services: Services, items: list[UploadItem], wait: bool, response: Response
) -> UploadResponse:
    if not wait:
        return UploadResponse(documents=items)
    ids = [i.job.id for i in items if i.job is not None]
    done = {j.id: j for j in services.runner.wait(ids, services.runtime.settings.api.wait_timeout_s)}
    out = []
    for item in items:
        if item.job is not None and item.job.id in done:
            job = done[item.job.id]
            item = UploadItem(
                document_id=item.document_id, source=item.source, status=job.state.value, job=job.to_dict()
            )  # type: ignore[arg-type]
        out.append(item)
    if all(i.job is None or i.job.state in ("indexed", "failed") for i in out):
        response.status_code = 200
    return UploadResponse(documents=out)
