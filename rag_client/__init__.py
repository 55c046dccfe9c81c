"""A Python client of the rag-knowledge HTTP API, on httpx: upload (waiting on the jobs), ask (or stream
an answer), search, documents, feedback. Errors are the API's problem details as exceptions
(``rag_client.errors``). It imports nothing of the service: copy it, or install the project.

    from rag_client import RagClient

    with RagClient("http://127.0.0.1:8000", api_key="rk_...") as rag:
        rag.upload("handbook.pdf")
        answer = rag.ask("How many days of leave?")
        print(answer.answer, [c.source for c in answer.citations])
"""

from rag_client.client import RagClient
from rag_client.errors import (
    ApiError,
    Conflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
)
from rag_client.models import Answer, Citation, Document, Hit, Job

__all__ = [
    "Answer",
    "ApiError",
    "Citation",
    "Conflict",
    "Document",
    "Hit",
    "InvalidRequest",
    "Job",
    "NotFound",
    "RagClient",
    "RateLimited",
    "ServerError",
    "Unauthorized",
]
