"""A Python client of the rag-knowledge HTTP API, on httpx: upload (waiting on the jobs), ask (or stream
an answer), search, documents, feedback. Errors are the API's problem details as exceptions
(``rag_client.errors``). It imports nothing of the service: copy it, or install the project.

    from rag_client import RagClient

    with RagClient("http://127.0.0.1:8000", api_key="rk_...") as rag:
        rag.upload("handbook.pdf")
        answer = rag.ask("How many days of leave?")
        print(answer.answer, [c.source for c in answer.citations])

Every method raises only ``RagClientError``s: the API's problems by kind (``NotFound``, ``RateLimited``...),
``InvalidArgument`` for what the client refuses to send, ``ConnectionFailed``, ``UnexpectedResponse``.
"""

from rag_client.client import RagClient
from rag_client.errors import (
    ApiError,
    Conflict,
    ConnectionFailed,
    InvalidArgument,
    InvalidRequest,
    NotFound,
    RagClientError,
    RateLimited,
    ServerError,
    SyncFailed,
    Unauthorized,
    UnexpectedResponse,
    WaitTimedOut,
)
from rag_client.models import Answer, Citation, Document, Hit, Job, SourceSync

__all__ = [
    "Answer",
    "ApiError",
    "Citation",
    "Conflict",
    "ConnectionFailed",
    "Document",
    "Hit",
    "InvalidArgument",
    "InvalidRequest",
    "Job",
    "NotFound",
    "RagClient",
    "RagClientError",
    "RateLimited",
    "ServerError",
    "SyncFailed",
    "SourceSync",
    "Unauthorized",
    "UnexpectedResponse",
    "WaitTimedOut",
]
