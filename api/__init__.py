"""HTTP service: turns HTTP requests into calls of ingest/ and rag/ (the FastAPI app comes later)."""
