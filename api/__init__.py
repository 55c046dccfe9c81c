"""HTTP service: turns HTTP requests into calls of ingest/ and rag/ (FastAPI app arrives with the service issue)."""
